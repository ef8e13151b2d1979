import type { PasswordCredential } from './account.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PasswordReuse } from './password-rules.js';

/**
 * Whether a new password is the one it would replace (issue 20 point 5). An office password is a
 * one-time password: choosing it again says so, since its whole point is to be replaced. `typedCurrent`:
 * the current password as the person just typed it (the change page, which has verified it already),
 * compared as the hasher compares (NFKC); without it the stored hash is asked (one argon2 verification,
 * on pages whose sign-in already proved the person: set without the old one, reset).
 */
export async function passwordReuse(
  hasher: PasswordHasher,
  credential: PasswordCredential | undefined,
  candidate: string,
  typedCurrent?: string,
): Promise<PasswordReuse | undefined> {
  if (!credential) return undefined;
  const same = typedCurrent !== undefined ? typedCurrent.normalize('NFKC') === candidate.normalize('NFKC') : await hasher.verify(credential.hash, candidate);
  if (!same) return undefined;
  return credential.origin === 'office' ? 'same_as_one_time' : 'same_as_current';
}
