import type { AccessRule } from '../../session.js';

/**
 * Adding, changing or deleting a contact, and choosing the reset method, first asks the person to
 * confirm who they are (FAQ: "On the next screen, select the authentication type for security and
 * enter your ID information"): a sign-in at most five minutes old. The phone and e-mail are where a
 * password reset sends its codes, so a session left open must not be able to redirect them.
 */
export const CONTACT_CHANGE_RULE: AccessRule = { maxAgeSeconds: 300 };
