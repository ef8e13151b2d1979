/**
 * oidc-provider's outgoing requests (an institution's `jwks_uri`, a `sector_identifier_uri`, back-channel
 * logout tokens) all go through the `fetch` of its configuration, after it has set a 2.5 s timeout and an
 * SSRF guard: an undici dispatcher that destroys every connection to a loopback, private (RFC 1918, ULA),
 * link-local or other special-use address (oidc-provider 9.13, `lib/helpers/fetch_request.js`).
 *
 * Inside a government network an institution's back-channel logout endpoint commonly sits on such an
 * address, and the guard made every logout to it fail (queued, retried for 24 hours, abandoned): the
 * person stayed signed in there (issue 26 point 3). Logout deliveries are therefore sent without the
 * guard, deliberately, and only they. The trade-off (docs/security.md, "OpenID: back-channel logout to
 * private addresses"): the only target is the institution's registered `backchannel_logout_uri`, and
 * institutions are registered by the operator (`kapi clients`; there is no dynamic registration); the
 * request is a fixed POST of a signed logout token; redirects are not followed; the answer's body is
 * never read, only its status; the request gives up after 2.5 s. Everything else keeps the guard.
 */

/** How long a logout delivery may take before it counts as failed (oidc-provider's own limit). */
export const LOGOUT_DELIVERY_TIMEOUT_MS = 2500;

type OutgoingInit = RequestInit & { dispatcher?: unknown };

/**
 * A back-channel logout delivery as oidc-provider's `Client#backchannelLogout` sends it, to the client's
 * registered URI: a POST whose form body is the logout token and nothing else. No other outgoing request
 * of oidc-provider has this shape (the others are GETs of JSON documents).
 */
export function isLogoutDelivery(init: OutgoingInit | undefined): boolean {
  if (!init || String(init.method).toUpperCase() !== 'POST') return false;
  const body = init.body;
  return body instanceof URLSearchParams && [...body.keys()].join(',') === 'logout_token';
}

/** The `fetch` of oidc-provider's configuration. */
export function outgoingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const options = init as OutgoingInit | undefined;
  if (!options || !isLogoutDelivery(options)) return globalThis.fetch(input, init);
  const { dispatcher: _ssrfGuard, ...rest } = options;
  return globalThis.fetch(input, {
    ...rest,
    // A redirect is a failed delivery (oidc-provider accepts only 200 and 204): it is never followed.
    redirect: 'manual',
    signal: rest.signal ?? AbortSignal.timeout(LOGOUT_DELIVERY_TIMEOUT_MS),
  });
}
