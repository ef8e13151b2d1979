import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Histogram } from 'prom-client';
import { log } from '../log.js';
import { MachineDocuments } from './machine-documents.js';
import { routeLabel } from './operations.js';
import { SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from './security-headers.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * The machine endpoints (token, JWKS, discovery, userinfo, introspection, revocation, PAR) answer JSON
 * only and render no page: oidc-provider answers them, errors included. They are handed to it straight
 * from the HTTP server, before Kapı's Koa app: a Koa context of Kapı's own in front of oidc-provider's
 * cost a measurable share of a client_credentials grant (issue 8). What Kapı's app did for them is done
 * here: the security headers every response gets, and the request-duration metric.
 */
export const MACHINE_ENDPOINTS: ReadonlySet<string> = new Set([
  '/token',
  '/jwks',
  '/.well-known/openid-configuration',
  '/me',
  '/token/introspection',
  '/token/revocation',
  '/request',
]);

/** The path of a request line's target, as Koa's ctx.path sees it (no query, not decoded). */
function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

export function machineFront(options: {
  /** Everything else: Kapı's Koa app. */
  app: RequestListener;
  /** oidc-provider's handler, looked up per request (a key rotation rebuilds the provider). */
  provider: () => RequestListener;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  hsts: boolean;
}): RequestListener {
  // Discovery and JWKS: the bytes of oidc-provider's first answer, per provider (src/web/machine-documents.ts).
  const documents = new MachineDocuments();
  return (req, res) => {
    const path = pathOf(req.url);
    if (!MACHINE_ENDPOINTS.has(path)) return options.app(req, res);
    const end = options.httpDuration.startTimer({ method: req.method ?? 'GET', route: routeLabel(path) });
    res.once('close', () => end({ status: String(res.statusCode) }));
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    if (options.hsts) res.setHeader(...STRICT_TRANSPORT_SECURITY);
    const handler = options.provider();
    if (documents.serve(handler, path, req, res)) return;
    // oidc-provider's Koa app answers its own errors; this only guards against a handler that throws.
    return Promise.resolve(handler(req, res)).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err), route: routeLabel(path) }, 'machine endpoint failed');
      if (res.headersSent) return void res.destroy();
      res.statusCode = 500;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'server_error', error_description: 'internal error' }));
    });
  };
}
