import { Provider } from 'oidc-provider';
import type { OidcPayload } from './port.js';

// Records read ahead for the request being handled, and taken by the find that follows in the same
// request (issue 8). A refresh grant reads its refresh token and then its grant; both rows come back
// from one statement, and the grant waits here for oidc-provider's Grant.find a moment later.
//
// Why this keeps the behaviour: an entry lives only in the request that read it (keyed by oidc-provider's
// request context, gone with it), is taken once, and is dropped by any write of oidc_models in that
// request. The grant is read in the same statement as the token instead of one round trip later, which
// is no staler than any read; a grant revoked meanwhile also deleted the refresh token, so the token's
// consume() fails and the grant is refused as before. Outside a request nothing is kept.

const byRequest = new WeakMap<object, Map<string, OidcPayload>>();

function currentRequest(): object | undefined {
  const ctx = Provider.ctx as object | undefined;
  return typeof ctx === 'object' && ctx !== null ? ctx : undefined;
}

export function keepForRequest(model: string, id: string, payload: OidcPayload): void {
  const request = currentRequest();
  if (!request) return;
  let reads = byRequest.get(request);
  if (!reads) byRequest.set(request, (reads = new Map()));
  reads.set(`${model}\u0000${id}`, payload);
}

/** The record read ahead in this request, once; undefined when there is none. */
export function takeForRequest(model: string, id: string): OidcPayload | undefined {
  const request = currentRequest();
  const reads = request && byRequest.get(request);
  if (!reads) return undefined;
  const key = `${model}\u0000${id}`;
  const payload = reads.get(key);
  if (payload) reads.delete(key);
  return payload;
}

/** Called before any write: what was read ahead may no longer be what is stored. */
export function forgetRequestReads(): void {
  const request = currentRequest();
  if (request) byRequest.delete(request);
}
