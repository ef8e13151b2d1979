import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createKapi, type Kapi, type KapiOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { recordKapiSecrets } from './kapi-secrets.js';
import { createTestDatabase } from './services.js';

// Starts a private Kapı on a free port. With DATABASE_URL / REDIS_URL in the environment (CI's real
// run) it uses a fresh Postgres database and a private Redis key prefix; otherwise the embedded
// default (in-memory PGlite, process-memory state), as on a fresh machine.

// Ports for servers a test starts later (a private Redis, an institution, a second process) come from
// below the system's ephemeral range (32768-60999 here), each Jest worker from a slice of its own. A port
// from listen(0) is ephemeral: between its close and the server's listen, seconds later, another worker's
// outgoing connection could take it (CI saw EADDRINUSE once). Outgoing connections never take these.
const SLICE = 1_000;
const FIRST_PORT = 20_000;
const slices = Math.max(1, Math.floor((ephemeralStart() - FIRST_PORT) / SLICE));
const sliceBase = FIRST_PORT + (Number(process.env.JEST_WORKER_ID ?? 0) % slices) * SLICE;
let nextInSlice = Math.floor(Math.random() * SLICE);

function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, so this stays below it too
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = sliceBase + (nextInSlice++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${sliceBase}-${sliceBase + SLICE - 1}`);
}

function listeningServer(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export interface TestKapi {
  kapi: Kapi;
  issuer: string;
  backend: 'postgres+redis' | 'embedded';
  stop(): Promise<void>;
}

export async function startKapi(options: KapiOptions & { env?: Record<string, string>; issuerHost?: 'localhost' | '127.0.0.1' } = {}): Promise<TestKapi> {
  // The port is held from here until Kapı takes the listening server over (kapi.listen(existing)): a port
  // picked, closed and listened on again seconds later can meanwhile be taken by another worker's connection.
  // A caller that names its own PORT (two processes sharing an issuer) listens there instead.
  const reserved = options.env?.PORT ? undefined : await listeningServer();
  const port = reserved ? (reserved.address() as { port: number }).port : Number(options.env?.PORT);
  // Browser journeys put Kapı on `localhost` and the institution on `127.0.0.1`: two sites, as in life.
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${port}`;
  const real = Boolean(process.env.DATABASE_URL);
  // A drill that brings its own Redis deployment (Sentinel or Cluster) must not get the run's REDIS_URL too.
  const ownRedis = Boolean(options.env?.KAPI_REDIS_SENTINELS || options.env?.KAPI_REDIS_CLUSTER_NODES);
  const database = real ? await createTestDatabase() : undefined;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    PORT: String(port),
    KAPI_ISSUER: issuer,
    DATA_DIR: ':memory:',
    KAPI_LOG_LEVEL: 'silent',
    KAPI_DEMO: 'true',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL && !ownRedis ? { REDIS_URL: process.env.REDIS_URL, KAPI_REDIS_PREFIX: `kapi-test-${randomBytes(4).toString('hex')}:` } : {}),
    ...options.env,
  };
  // An in-memory embedded Kapı starts from the run's migrated dump (test/support/build-test-databases.ts).
  if (process.env.KAPI_TEST_EMBEDDED_SNAPSHOT && !env.DATABASE_URL && env.DATA_DIR === ':memory:' && !env.KAPI_EMBEDDED_SNAPSHOT) {
    env.KAPI_EMBEDDED_SNAPSHOT = process.env.KAPI_TEST_EMBEDDED_SNAPSHOT;
  }
  let kapi: Kapi;
  try {
    kapi = await createKapi(loadConfig(env), options);
  } catch (error) {
    if (reserved) await new Promise<void>((resolve) => reserved.close(() => resolve()));
    await database?.drop();
    throw error;
  }
  await recordKapiSecrets(kapi, env); // for the log scan of the run (test/support/global-teardown.ts)
  await kapi.listen(reserved);
  return {
    kapi,
    issuer,
    backend: real ? 'postgres+redis' : 'embedded',
    async stop() {
      await kapi.close();
      await database?.drop();
    },
  };
}
