import { FACTOR_FRESH_SECONDS, FACTOR_LEVEL } from '../../../../assurance/factor-changes.js';
import type { AccessRule } from '../../session.js';

/**
 * Adding, changing or deleting a contact, and choosing the reset method, first asks the person to
 * confirm who they are (FAQ: "On the next screen, select the authentication type for security and
 * enter your ID information"): a sign-in at most five minutes old. The phone and e-mail are where a
 * password reset sends its codes, so a session left open must not be able to redirect them.
 */
export const CONTACT_CHANGE_RULE: AccessRule = { maxAgeSeconds: 300 };

/**
 * A phone that confirms sign-ins (the SMS second factor) is a factor: deleting or replacing it needs what
 * removing any factor needs, and a verification makes it one only in a sign-in that may add a factor
 * (src/assurance/factor-changes.ts): under five minutes old at `substantial` or higher.
 */
export const FACTOR_PHONE_REMOVE_RULE: AccessRule = { acr: FACTOR_LEVEL, maxAgeSeconds: FACTOR_FRESH_SECONDS, sufficientAcr: 'high' };
