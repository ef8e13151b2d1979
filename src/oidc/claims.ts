import type { Account } from '../accounts/account.js';

// Scopes an institution may ask for, and the claims each one releases (DESIGN.md "Claims").
// `national_id` is its own scope; an institution must be registered with it to ask for it.
export const SCOPE_CLAIMS = {
  // acr, amr and auth_time ride on `openid`: every ID token says how strongly and when the person was proved.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name', 'birthdate'],
  national_id: ['national_id', 'national_id_type'],
  address: ['address'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

export const SUPPORTED_SCOPES = ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')];

/** Every claim an account can currently give (only verified email and phone). */
export function accountClaims(account: Account): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    name: `${account.givenName} ${account.familyName}`,
    given_name: account.givenName,
    family_name: account.familyName,
    national_id: account.nationalId,
    national_id_type: account.nationalIdType,
  };
  if (account.birthdate) claims.birthdate = account.birthdate;
  if (account.address) claims.address = account.address;
  if (account.email && account.emailVerified) Object.assign(claims, { email: account.email, email_verified: true });
  if (account.phone && account.phoneVerified) Object.assign(claims, { phone_number: account.phone, phone_number_verified: true });
  return claims;
}

/** Claims about the sign-in itself, not the person's data: never asked for on the consent page. */
export const TECHNICAL_CLAIMS: ReadonlySet<string> = new Set(['sub', 'sid', 'iss', 'acr', 'amr', 'auth_time']);

/**
 * The claims an institution may ever receive: those of the scopes it is registered for (its `scope`
 * metadata; a client without one is treated as registered for `openid` alone). The `claims` parameter,
 * the `scope` and request objects can only narrow this set (DESIGN.md "Releasable claims").
 */
export function registeredClaims(client: { scope?: string | undefined } | undefined): ReadonlySet<string> {
  const names = new Set<string>();
  for (const scope of String(client?.scope ?? 'openid').split(' ')) {
    for (const claim of (SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? []) names.add(claim);
  }
  return names;
}

/**
 * The claims one answer (an ID token or a userinfo response) carries: those of `scope`, plus those the
 * claims parameter asks for there, minus what the person refused, within the registration. oidc-provider
 * masks its answer the same way, so the set returned is exactly what leaves Kapı.
 */
export function claimsToRelease(registered: ReadonlySet<string>, scope: string, requested: Record<string, unknown>, rejected: readonly string[]): string[] {
  const names = new Set<string>();
  for (const s of scope.split(' ')) for (const c of (SCOPE_CLAIMS as Record<string, readonly string[]>)[s] ?? []) names.add(c);
  // oidc-provider honours a requested claim whose value is null or an object ({essential, value(s)}).
  for (const [claim, how] of Object.entries(requested)) if (how === null || (typeof how === 'object' && !Array.isArray(how))) names.add(claim);
  for (const claim of rejected) names.delete(claim);
  return [...names].filter((c) => registered.has(c));
}

/** Names of the claims a scope set plus explicitly requested claims would release (for consent and records). */
export function claimNamesFor(scopes: Iterable<string>, requested: Iterable<string> = []): string[] {
  const names = new Set<string>();
  for (const scope of scopes) for (const c of (SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? []) names.add(c);
  for (const c of requested) names.add(c);
  for (const technical of TECHNICAL_CLAIMS) names.delete(technical);
  return [...names];
}
