import type { MethodTraitBook } from '../../../../engine/traits.js';
import type { AccessRule } from '../../session.js';

/**
 * Closing and opening password login: only in a session proved with e-signature or mobile signature,
 * exactly as the FAQ says ("Login to the e-Government Gateway with your e-signature or mobile
 * signature", for both). The method that proved the session matters, not the level alone: the methods
 * whose traits say they prove a `signature`.
 */
export function passwordLoginRule(traits: MethodTraitBook): AccessRule {
  return { methods: traits.proving('signature') };
}

/**
 * Access restrictions (online banking). The FAQ puts the switch in the ordinary profile area and
 * asks for no particular method, and the banking refusal tells people to open it "with another
 * method (password, e-signature, mobile signature or ID card)": so any sign-in method must do, or a
 * citizen with only a password could never open it again. The two directions still differ:
 * - Blocking only takes access away. Whoever holds the session gains nothing by it, and a person who
 *   distrusts banking login must be able to shut it at once: any session.
 * - Opening gives access back, undoing a protection the person chose. A session left open on a shared
 *   computer, or a hijacked one, must not do that: it needs a re-authentication, a sign-in at most five
 *   minutes old (the same "confirm who you are" step the FAQ asks before changing contact details).
 */
export const BANK_BLOCK_RULE: AccessRule = {};
export const BANK_UNBLOCK_RULE: AccessRule = { maxAgeSeconds: 300 };
