import { Provider } from 'oidc-provider';
import type { OidcPayload } from './port.js';

// Records read ahead for the request being handled, and taken by the find that follows in the same
// request (issue 8). A refresh grant reads its refresh token, then its grant, then its account; all three
// rows come back from one statement, and the grant waits here for oidc-provider's Grant.find a moment
// later, the account for its findAccount (issue 27).
//
// Why this keeps the behaviour: an entry lives only in the request that read it (keyed by oidc-provider's
// request context, gone with it), is taken once, and is dropped by any write of oidc_models in that
// request. The grant is read in the same statement as the token instead of one round trip later, which
// is no staler than any read; a grant revoked meanwhile also deleted the refresh token, so the token's
// consume() fails and the grant is refused as before. Outside a request nothing is kept.

const byRequest = new WeakMap<object, Map<string, unknown>>();

function currentRequest(): object | undefined {
  const ctx = Provider.ctx as object | undefined;
  return typeof ctx === 'object' && ctx !== null ? ctx : undefined;
}

function keep(key: string, value: unknown): void {
  const request = currentRequest();
  if (!request) return;
  let reads = byRequest.get(request);
  if (!reads) byRequest.set(request, (reads = new Map()));
  reads.set(key, value);
}

function take(key: string): unknown {
  const request = currentRequest();
  const reads = request && byRequest.get(request);
  if (!reads) return undefined;
  const value = reads.get(key);
  if (value !== undefined) reads.delete(key);
  return value;
}

export function keepForRequest(model: string, id: string, payload: OidcPayload): void {
  keep(`${model}\u0000${id}`, payload);
}

/** The record read ahead in this request, once; undefined when there is none. */
export function takeForRequest(model: string, id: string): OidcPayload | undefined {
  return take(`${model}\u0000${id}`) as OidcPayload | undefined;
}

// The account a refresh token names comes back from the token's statement too (issue 27), as a row of
// the accounts table (its ACCOUNT_COLUMNS, src/accounts/account-repository.ts), and waits for the
// findAccount that the grant runs next (AccountRepository.findByIdInRequest). Same rules as the grant: this
// request only, taken once, dropped by a write. It is read a moment before findAccount would have read it,
// in the same request, so an account closed or banned before the request began gets nothing, as before.
// The key cannot meet an oidc-provider model's: no model is named with a space.
const ACCOUNT = 'account row';

export function keepAccountForRequest(accountId: string, row: Record<string, unknown>): void {
  keep(`${ACCOUNT}\u0000${accountId}`, row);
}

/** The account row read ahead in this request, once; undefined when there is none. */
export function takeAccountForRequest(accountId: string): Record<string, unknown> | undefined {
  return take(`${ACCOUNT}\u0000${accountId}`) as Record<string, unknown> | undefined;
}

/** Called before any write: what was read ahead may no longer be what is stored. */
export function forgetRequestReads(): void {
  const request = currentRequest();
  if (request) byRequest.delete(request);
}
