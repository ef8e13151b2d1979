import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import { isKapiError } from '../../errors.js';
import { log } from '../../log.js';
import { operatorServices } from '../../operators/index.js';
import type { Services } from '../../services.js';
import { translate } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { staticFiles } from '../static.js';
import { CONSOLE_PATH, consoleOrigin, ensureConsoleClient } from './client.js';
import type { ConsoleDeps } from './deps.js';
import type { Operator } from './guard.js';
import { renderConsolePage } from './render.js';
import { consoleRouter } from './routes.js';
import { ADMIN_ONLY_PATHS } from '../admin-listener.js';

// The operator console's part of the admin listener (src/web/admin-listener.ts): loopback only, its own
// strict headers, its error pages, the console's router; the built-in client is registered once the
// admin port is known (`ready`).

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface OperatorConsole {
  middleware: Koa.Middleware[];
  /** Registers (or moves) the console's client for the admin listener's port. */
  ready(port: number): Promise<void>;
}

export function operatorConsole(options: { config: Config; services: Services; provider: () => Provider; announceKeys: () => Promise<void> }): OperatorConsole {
  let origin = '';
  const deps: ConsoleDeps = {
    ...options,
    operators: operatorServices(options.services),
    origin: () => origin,
    // The admin listener is reached on loopback only: the socket's address is the caller's.
    clientIp: (ctx) => ctx.req.socket.remoteAddress ?? '',
  };
  const router = consoleRouter(deps);

  const loopbackOnly: Koa.Middleware = async (ctx, next) => {
    // Everything on the admin listener but the two operator endpoints meant for scrapers is the console's,
    // whatever the case of the path: the router matches /CONSOLE too, so a prefix test would let it by.
    if (ADMIN_ONLY_PATHS.has(ctx.path.toLowerCase())) return next();
    // Even when the admin listener is bound wider (KAPI_ADMIN_HOST, for a metrics scraper), the console
    // answers loopback callers only, under a loopback host name (no DNS rebinding onto it).
    const hostname = ctx.host.replace(/:\d+$/, '');
    if (!LOOPBACK.has(ctx.req.socket.remoteAddress ?? '') || !LOOPBACK_HOSTS.has(hostname)) {
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
      return;
    }
    // The console's own strict headers on top of every page's (CSP, no-store: src/web/render.ts).
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/') return ctx.redirect(CONSOLE_PATH);
    return next();
  };

  const errors: Koa.Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (ADMIN_ONLY_PATHS.has(ctx.path.toLowerCase())) throw err;
      const operator = (ctx.state as { consoleOperator?: Operator }).consoleOperator;
      const locale = localeFor(ctx);
      const status = (err as { status?: number; expose?: boolean }).status;
      if (isKapiError(err)) {
        await renderConsolePage(
          ctx,
          operator?.view,
          'refused',
          { id: 'refused', titleKey: 'console.error.title', data: { message: translate(locale, err.code) } },
          { status: err.status },
        );
        return;
      }
      if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
        await renderConsolePage(
          ctx,
          operator?.view,
          'refused',
          { id: 'refused', titleKey: 'console.error.title', data: { message: translate(locale, 'invalid_request') } },
          { status },
        );
        return;
      }
      const reference = randomUUID();
      log.error({ err, reference, path: ctx.path }, 'console request failed');
      await renderConsolePage(
        ctx,
        operator?.view,
        'refused',
        { id: 'refused', titleKey: 'console.error.title', data: { message: `${translate(locale, 'internal')} (${reference})` } },
        { status: 500 },
      );
    }
  };

  return {
    middleware: [loopbackOnly, errors, staticFiles(), router.routes() as unknown as Koa.Middleware, router.allowedMethods() as unknown as Koa.Middleware],
    async ready(port: number) {
      origin = consoleOrigin(port);
      await ensureConsoleClient(options.services.clients, origin);
    },
  };
}
