import { createServer, type Server } from 'node:http';
import { databaseErrorReason, describeDatabaseUrl, probeDatabase } from '../adapters/storage/database-probe.js';
import { createKapi, type Kapi } from './app.js';
import { ConfigError, type Config } from './config.js';
import { log } from './log.js';
import { asOutage } from './web/outage.js';
import { AdminListener } from './web/admin-listener.js';
import { startingApp, type StartupStatus } from './web/starting-app.js';

// How the server process starts when its Postgres may not be up yet (a cluster restart, a deployment
// that starts everything at once). Exiting and relying on the orchestrator's restart loop hides the
// reason and makes the process look dead; instead Kapı:
//
//   1. listens at once with a small "starting" app (src/web/starting-app.ts): /healthz 200, /readyz 503
//      naming what it waits for, every other request a clean 503;
//   2. tries the database with capped, jittered backoff, warning each time (without secrets);
//   3. once it answers, builds the real Kapı exactly as before (createKapi: migrations, keys, seed,
//      provider, routes) and hands the same HTTP server over to it: no restart, no second port.
//
// Building the whole app only after the database answers keeps createKapi unchanged: nothing in it
// has to cope with a database that is not there yet. The embedded PGlite lives in the process and
// cannot be "not up yet": it starts exactly as it always did.

export interface StartupOptions {
  /** Longest wait for the database, in ms; undefined: as long as it takes; 0: give up at the first failure. */
  databaseWaitMs: number | undefined;
}

export function startupOptions(env: NodeJS.ProcessEnv = process.env): StartupOptions {
  const raw = env.KAPI_STARTUP_DATABASE_WAIT_SECONDS?.trim();
  if (!raw) return { databaseWaitMs: undefined };
  if (!/^\d{1,9}$/.test(raw)) {
    throw new ConfigError(['KAPI_STARTUP_DATABASE_WAIT_SECONDS: a whole number of seconds (0: do not wait for the database; unset: wait as long as it takes)']);
  }
  return { databaseWaitMs: Number(raw) * 1000 };
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** 0.5 s, 1 s, 2 s, ... up to 10 s, each ±20 % so that processes started together do not knock in step. */
export function retryDelay(attempt: number): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listenOn(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
  });
}

/** Starts Kapı and returns it with the server it answers on (see the comment at the top). */
export async function serve(config: Config, options: StartupOptions = { databaseWaitMs: undefined }): Promise<{ kapi: Kapi; server: Server }> {
  const url = config.databaseUrl;
  if (!url) {
    const kapi = await createKapi(config);
    try {
      return { kapi, server: await kapi.listen() };
    } catch (error) {
      await kapi.close(); // e.g. the port is taken: the database and timers must not keep the process alive
      throw error;
    }
  }

  log.level = config.logLevel;
  const target = describeDatabaseUrl(url);
  let status: StartupStatus = { phase: 'connecting to the database', checks: [{ name: 'database', ok: false, error: `connecting to ${target}` }] };
  const starting = (scope: 'public' | 'admin' | 'both') =>
    startingApp({ hsts: config.issuer.startsWith('https://'), trustProxyHops: config.trustProxyHops, status: () => status, readiness: scope }).callback();
  // With an operator's listener, /readyz (and why Kapı is not ready yet) is answered there only.
  const admin = config.admin ? new AdminListener(starting('admin')) : undefined;
  const server = createServer(starting(admin ? 'public' : 'both'));
  await listenOn(server, config.port, config.host);
  if (admin && config.admin) await admin.listen(config.admin.port, config.admin.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(
    `Kapı is starting on http://${config.host}:${port}: /readyz answers 503 until the database (${target}) is reachable and Kapı is ready\n`,
  );

  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let reached = false;
    try {
      await probeDatabase(url);
      reached = true;
      status = {
        phase: 'running migrations and building Kapı',
        checks: [
          { name: 'database', ok: true },
          { name: 'startup', ok: false, error: 'running migrations and building Kapı' },
        ],
      };
      const kapi = await createKapi(config);
      await kapi.listen(server, admin);
      if (attempt > 1) log.info({ database: target, attempt, waitedMs: Date.now() - started }, 'database reachable; Kapı is ready');
      return { kapi, server };
    } catch (err) {
      // Once the database has answered, only another outage (it went away again during migrations) is
      // worth waiting out; any other failure is a fault of configuration or code and ends startup, as before.
      if (reached && !asOutage(err)) {
        await closeServer(server);
        await admin?.close();
        throw err;
      }
      const reason = databaseErrorReason(err, url);
      const waited = Date.now() - started;
      if (options.databaseWaitMs !== undefined && waited >= options.databaseWaitMs) {
        await closeServer(server);
        await admin?.close();
        throw new Error(`the database ${target} was not reachable within ${options.databaseWaitMs / 1000} s (KAPI_STARTUP_DATABASE_WAIT_SECONDS): ${reason}`);
      }
      const delay = Math.min(retryDelay(attempt), options.databaseWaitMs === undefined ? Infinity : Math.max(options.databaseWaitMs - waited, 0));
      status = {
        phase: 'waiting for the database',
        checks: [{ name: 'database', ok: false, error: `not reachable yet (${target}): ${reason}; attempt ${attempt}, next in ${Math.ceil(delay / 1000)} s` }],
      };
      log.warn({ database: target, attempt, retryInMs: delay, reason }, 'database not reachable yet: Kapı answers 503 until it is');
      await sleep(delay);
    }
  }
}
