import type Provider from 'oidc-provider';
import type { AfterRoutes } from './after-routes.js';
import { asOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../web/outage.js';
import { renderOidcError } from '../web/oidc-error-page.js';
import { log } from '../log.js';

// oidc-provider catches errors inside its own routes and answers JSON endpoints (token, userinfo,
// introspection, revocation, PAR, registration) with 500 server_error. When the cause is a storage
// outage the honest answer is 503 temporarily_unavailable with Retry-After, so clients retry instead of
// treating it as a bug. The 'server_error' event sees the real error before the answer is sent; the
// middleware rewrites the answer afterwards (HTML pages go through renderError, which already says 503).
//
// oidc-provider saves the sign-in session after its route's error handler has run (ensureSessionSave,
// around every GET and POST route): an outage there escaped to Koa's default handler as a bare 500
// "Internal Server Error" (seen in the Sentinel failover drill: MaxRetriesPerRequestError while the
// primary was changing). A provider middleware around the routes answers it as the outage it is.

const OUTAGE = Symbol('kapi.storageOutage');

export function answerOutagesAs503(provider: Provider, after: AfterRoutes): void {
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!asOutage(err) || ctx.headerSent) throw err;
      log.warn({ err, path: ctx.path }, 'storage unavailable after the authorization server answered: 503');
      // The route's answer (a redirect carrying a code, say) stands on a session that was not saved.
      ctx.remove('Location');
      if (ctx.accepts('json', 'html') === 'html') {
        await renderOidcError(ctx as never, { error: 'server_error' }, err);
        ctx.set('Retry-After', OUTAGE_RETRY_AFTER_SECONDS);
      } else answerTemporarilyUnavailable(ctx);
    }
  });
  provider.on('server_error', (ctx, err) => {
    if (asOutage(err)) (ctx.state as Record<symbol, boolean>)[OUTAGE] = true;
  });
  after.add((ctx) => {
    if (!(ctx.state as Record<symbol, boolean>)[OUTAGE] || ctx.status !== 500) return;
    const body = ctx.body as { error?: unknown } | undefined;
    if (!body || typeof body !== 'object' || body.error !== 'server_error') return;
    answerTemporarilyUnavailable(ctx);
  });
}

/** The JSON answer to a request that storage cannot serve now (also used while Kapı starts: src/startup.ts). */
export function answerTemporarilyUnavailable(ctx: { status: number; body: unknown; set(field: string, value: string): void }): void {
  ctx.status = 503;
  ctx.set('Retry-After', OUTAGE_RETRY_AFTER_SECONDS);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'temporarily_unavailable', error_description: 'storage temporarily unavailable, retry later' };
}
