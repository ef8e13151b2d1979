import type { Context } from 'koa';

// Chromium enforces CSP `form-action` on every redirect that follows a form post, not only on the
// form's own action. A login step posts to Kapı, and Kapı answers with the redirect chain that ends
// at the institution (or, on the logout confirmation, at its post-logout URI): that last hop must be
// allowed by the page the form was on, or the browser stops there with the person signed in. So the
// origins a page's forms may lead to are set once per request, by the code that knows where the
// request can end (the interaction loader, the logout page), and read by `renderPage` for every page
// that request renders — error pages and retries included. No page passes them by hand.

const STATE_KEY = 'kapiFormTargets';

function originOf(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined;
  try {
    const { origin } = new URL(uri);
    return origin === 'null' ? undefined : origin; // custom schemes (native apps) have no origin to allow
  } catch {
    return undefined;
  }
}

/** Adds the origins of these URIs to the origins this request's pages may post to (besides 'self'). */
export function allowFormTargets(ctx: Pick<Context, 'state'>, uris: Iterable<unknown>): void {
  const targets = new Set<string>((ctx.state[STATE_KEY] as string[] | undefined) ?? []);
  for (const uri of uris) {
    const origin = originOf(uri);
    if (origin) targets.add(origin);
  }
  ctx.state[STATE_KEY] = [...targets];
}

/**
 * An interaction can end at the redirect URI of its authorization request; without one in the request
 * (oidc-provider allows omitting a client's only redirect URI), at any of the client's registered URIs.
 */
export function allowInteractionFormTargets(
  ctx: Pick<Context, 'state'>,
  params: Record<string, unknown>,
  registeredRedirectUris: readonly string[] = [],
): void {
  allowFormTargets(ctx, typeof params.redirect_uri === 'string' ? [params.redirect_uri] : registeredRedirectUris);
}

export function formTargets(ctx: Pick<Context, 'state'>): string[] {
  return (ctx.state?.[STATE_KEY] as string[] | undefined) ?? [];
}
