import { PASSWORDLESS_STRONG_METHODS, type AccountSession } from '../../session.js';

/**
 * Setting a password without typing the old one is allowed in a session proved with e-signature,
 * mobile signature, the ID card or online banking (FAQ: "after logging in, you can set a password
 * free of charge"). The method that proved the session decides, not its level: a password session
 * stepped up to `substantial` with an SMS code still has to know the old password.
 */
export function mayReplaceWithoutOld(session: AccountSession): boolean {
  return session.methods.some((m) => (PASSWORDLESS_STRONG_METHODS as readonly string[]).includes(m));
}
