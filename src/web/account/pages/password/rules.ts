import type { MethodTraitBook } from '../../../../engine/traits.js';
import type { AccountSession } from '../../session.js';

/**
 * Setting a password without typing the old one is allowed in a session proved with e-signature,
 * mobile signature, the ID card or online banking (FAQ: "after logging in, you can set a password
 * free of charge"). The method that proved the session decides, not its level: a password session
 * stepped up to `substantial` with an SMS code still has to know the old password. Those methods say
 * so in their traits (`strong-without-password`).
 */
export function mayReplaceWithoutOld(session: AccountSession, traits: MethodTraitBook): boolean {
  return session.methods.some((m) => traits.proves(m, 'strong-without-password'));
}
