import Router from '@koa/router';
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { StateStore } from '../../adapters/storage/port.js';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  signIns: Counter<'method' | 'result'>;
}

export function createMetrics(sources: { passwordVerifications?: () => number } = {}): Metrics {
  const registry = new Registry();
  if (sources.passwordVerifications) {
    const read = sources.passwordVerifications;
    new Counter({
      name: 'kapi_password_verifications_total',
      help: 'argon2 password verifications (dummy ones for unknown numbers included)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
  collectDefaultMetrics({ register: registry, prefix: 'kapi_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'kapi_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    signIns: new Counter({
      name: 'kapi_sign_ins_total',
      help: 'Sign-in attempts by method and result',
      labelNames: ['method', 'result'],
      registers: [registry],
    }),
  };
}

/** Route label with identifiers removed, so metrics keep a bounded number of series. */
export function routeLabel(path: string): string {
  if (path.startsWith('/interaction/')) return '/interaction/:uid' + (path.split('/').length > 3 ? '/…' : '');
  if (path.startsWith('/auth/')) return '/auth/:uid';
  if (path.startsWith('/static/')) return '/static';
  return [
    '/auth',
    '/token',
    '/me',
    '/jwks',
    '/request',
    '/session/end',
    '/.well-known/openid-configuration',
    '/token/introspection',
    '/token/revocation',
    '/healthz',
    '/readyz',
    '/metrics',
    '/demo',
    '/demo/callback',
    '/demo/login',
  ].includes(path)
    ? path
    : 'other';
}

async function check(name: string, probe: () => Promise<unknown>): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** /healthz alone: what the public listener keeps when the operator's endpoints have their own port. */
export function healthRouter(): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  return router;
}

/** /healthz (the process runs), /readyz (its database and state store answer), /metrics. */
export function operationsRouter(deps: {
  db: Knex;
  state: StateStore;
  metrics: Metrics;
  extraChecks?: () => Promise<{ name: string; ok: boolean; error?: string }[]>;
}): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await Promise.all([
      check('database', () => deps.db.raw('select 1')),
      check(deps.state.kind === 'redis' ? 'redis' : 'state', () => deps.state.ping()),
    ]);
    if (deps.extraChecks) checks.push(...(await deps.extraChecks()));
    const ready = checks.every((c) => c.ok);
    ctx.status = ready ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
