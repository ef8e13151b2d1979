import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createKapi, type Kapi, type KapiOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { recordKapiSecrets } from './kapi-secrets.js';
import { createTestDatabase } from './services.js';

// Starts a private Kapı on a free port. With DATABASE_URL / REDIS_URL in the environment (CI's real
// run) it uses a fresh Postgres database and a private Redis key prefix; otherwise the embedded
// default (in-memory PGlite, process-memory state), as on a fresh machine.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestKapi {
  kapi: Kapi;
  issuer: string;
  backend: 'postgres+redis' | 'embedded';
  stop(): Promise<void>;
}

export async function startKapi(options: KapiOptions & { env?: Record<string, string>; issuerHost?: 'localhost' | '127.0.0.1' } = {}): Promise<TestKapi> {
  const port = await freePort();
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
  const kapi = await createKapi(loadConfig(env), options);
  await recordKapiSecrets(kapi, env); // for the log scan of the run (test/support/global-teardown.ts)
  await kapi.listen();
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
