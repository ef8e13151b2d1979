import { ADMIN_ONLY_PATHS } from './admin-listener.js';
import Koa from 'koa';
import { answerTemporarilyUnavailable } from '../oidc/outage-json.js';
import { translate } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { renderPage } from './render.js';
import { securityHeaders } from './security-headers.js';
import { staticFiles } from './static.js';

// What Kapı answers while it is still starting (waiting for Postgres, running migrations, building the
// provider): it is alive (/healthz 200), not ready (/readyz 503 saying what it waits for), and every
// other request gets the same clean 503 an outage gets later on, a page for browsers and
// `temporarily_unavailable` for the JSON endpoints. Nothing here touches storage.

export interface StartupCheck {
  name: string;
  ok: boolean;
  error?: string;
}

export interface StartupStatus {
  /** One line for people: what startup is doing now. */
  phase: string;
  /** In the shape /readyz has once Kapı runs (src/web/operations.ts), so probes read both alike. */
  checks: StartupCheck[];
}

/** Endpoints answered with JSON only: institutions' and programs' clients, not browsers. */
const JSON_ONLY = /^\/(token|jwks|me|request|registrar|openapi\.json|\.well-known|metrics|device\/v1|smart-card\/v1)(\/|$)/;

function wantsJson(ctx: Koa.Context): boolean {
  if (JSON_ONLY.test(ctx.path)) return true;
  if (ctx.is('application/json')) return true;
  return ctx.accepts('html', 'json') === 'json';
}

/**
 * `readiness`: where /readyz is answered: on this server alone (`both`, no operator's listener), or on the
 * operator's listener (`admin`: only /healthz and /readyz there) while the public one (`public`) answers it 404.
 */
function answerNotFound(ctx: Koa.Context): void {
  ctx.status = 404;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'not_found' };
}

export function startingApp(options: { hsts: boolean; trustProxyHops: number; status: () => StartupStatus; readiness?: 'public' | 'admin' | 'both' }): Koa {
  const readiness = options.readiness ?? 'both';
  const app = new Koa({ proxy: options.trustProxyHops > 0, maxIpsCount: options.trustProxyHops });
  app.use(securityHeaders({ hsts: options.hsts }));
  app.use(async (ctx, next) => {
    if (readiness === 'public' && ADMIN_ONLY_PATHS.has(ctx.path)) return answerNotFound(ctx);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz' && readiness !== 'public') {
      const { phase, checks } = options.status();
      ctx.status = 503;
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Retry-After', '5');
      ctx.body = { status: 'not ready', phase, checks };
      return;
    }
    if (readiness === 'admin') return answerNotFound(ctx); // the operator's listener serves nothing else
    return next();
  });
  // The 503 page keeps its stylesheet.
  app.use(staticFiles());
  app.use(async (ctx) => {
    if (wantsJson(ctx)) {
      answerTemporarilyUnavailable(ctx);
      return;
    }
    const locale = localeFor(ctx);
    await renderPage(
      ctx,
      '/src/web/views/error',
      locale,
      { title: translate(locale, 'error.title'), message: translate(locale, 'storage_unavailable') },
      { status: 503 },
    );
    ctx.set('Retry-After', '5');
  });
  return app;
}
