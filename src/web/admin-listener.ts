import { createServer, type RequestListener, type Server } from 'node:http';
import Koa from 'koa';
import type Router from '@koa/router';
import { securityHeaders } from './security-headers.js';

// The operator's endpoints (/readyz, /metrics, the operator console at /console) listen on a port of their own,
// bound to loopback unless configured (KAPI_ADMIN_PORT, KAPI_ADMIN_HOST): they say which dependencies
// are down and expose internal figures, which the public internet has no business reading. The public
// listener then answers them 404 and keeps /healthz, which says only that the process runs.
//
// One server object lives from the first moment of startup to the end: while Kapı waits for its
// database it answers /readyz 503 with the reason (src/startup.ts), then the built app takes over.

/** Paths that belong to the admin listener when there is one. */
export const ADMIN_ONLY_PATHS = new Set(['/readyz', '/metrics']);

/** `console`: the operator console's middleware (src/web/console/index.ts), with the cookie keys its pages use. */
export function adminApp(ops: Router, console?: { middleware: Koa.Middleware[]; keys: string[] }): Koa {
  const app = new Koa(console ? { keys: console.keys } : {});
  app.use(securityHeaders({ hsts: false }));
  for (const middleware of console?.middleware ?? []) app.use(middleware);
  app.use(ops.routes());
  return app;
}

/** A server whose handler can be swapped (the starting handler, then the built app's). */
export class AdminListener {
  #handler: RequestListener;
  readonly server: Server;

  constructor(initial: RequestListener) {
    this.#handler = initial;
    this.server = createServer((req, res) => this.#handler(req, res));
  }

  handWith(handler: RequestListener): void {
    this.#handler = handler;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections?.();
    });
  }
}
