import { randomBytes } from 'node:crypto';
import { describe } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';

// Real Postgres and Redis for integration tests. Locally a missing service skips its tests with a
// printed reason; in CI (CI=true) a missing service fails the run, so a green CI always means the
// tests ran against the real thing.

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A server-level URL: DATABASE_URL's server (CI) or the local default, on its `postgres` database. */
export const POSTGRES_ADMIN_URL = (() => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  return url.toString();
})();

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function postgresAvailable(url = POSTGRES_ADMIN_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, uniquely named database on the test server; drop() removes it (closing what is left open). */
/**
 * A fresh database of its own: a copy of the run's migrated template, or with `empty: true` a database
 * with nothing in it (a restore target, a test that runs the migrations one by one).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `kapi_test_${randomSuffix()}`; // only [a-z0-9_]: safe to splice into the statements
  // From the run's migrated template when there is one (test/support/build-test-databases.ts): Kapı finds
  // its migrations done. Its name comes from the run's own setup and is checked like ours.
  const template = process.env.KAPI_TEST_POSTGRES_TEMPLATE;
  const from = !options.empty && template && /^[a-z0-9_]+$/.test(template) ? ` TEMPLATE ${template}` : '';
  await admin((client) => client.query(`CREATE DATABASE ${name}${from}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * `describe` when the service is there; otherwise `describe.skip` with a printed reason, or, when
 * CI=true, an error that fails the test file.
 */
export function requireOrSkip(name: string, available: boolean, url?: string): typeof describe {
  if (available) return describe;
  const reason = `${name} is not reachable${url ? ` at ${where(url)}` : ''}`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it`);
  console.warn(`skipping ${name} tests: ${reason} (set it up, or CI=true makes this a failure)`);
  return describe.skip as typeof describe;
}

/** Host and port only: a URL from the environment may carry a password. */
function where(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 'default port'}`;
}
