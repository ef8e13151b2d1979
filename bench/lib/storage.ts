import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

// The benchmark's own Postgres database and Redis key prefix: created fresh, removed at the end.

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  url = POSTGRES_ADMIN_URL,
): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `kapi_bench_${randomSuffix()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export function redisClient(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
  redis.on('error', () => undefined);
  return redis;
}

export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2_000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export interface TableStats {
  relname: string;
  seq_scan: number;
  seq_tup_read: number;
  idx_scan: number;
  n_live_tup: number;
  n_dead_tup: number;
}

export async function tableStats(url: string): Promise<TableStats[]> {
  const res = await adminQuery<TableStats>(
    `SELECT relname, seq_scan::int, seq_tup_read::bigint::float8 AS seq_tup_read, coalesce(idx_scan, 0)::int AS idx_scan, n_live_tup::int, n_dead_tup::int
       FROM pg_stat_user_tables ORDER BY seq_scan + coalesce(idx_scan, 0) DESC`,
    [],
    url,
  );
  return res.rows;
}
