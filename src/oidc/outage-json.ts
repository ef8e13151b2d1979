import type Provider from 'oidc-provider';
import type { AfterRoutes } from './after-routes.js';
import { asOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../web/outage.js';

// oidc-provider catches errors inside its own routes and answers JSON endpoints (token, userinfo,
// introspection, revocation, PAR, registration) with 500 server_error. When the cause is a storage
// outage the honest answer is 503 temporarily_unavailable with Retry-After, so clients retry instead of
// treating it as a bug. The 'server_error' event sees the real error before the answer is sent; the
// middleware rewrites the answer afterwards (HTML pages go through renderError, which already says 503).

const OUTAGE = Symbol('kapi.storageOutage');

export function answerOutagesAs503(provider: Provider, after: AfterRoutes): void {
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
