// The data-growth database (issue 24 point 1; DESIGN.md, "Performance"): built once as a Postgres
// TEMPLATE and kept between runs; every run copies it (CREATE DATABASE ... TEMPLATE, a file copy) and
// throws the copy away. Its name carries a hash of the migrations and of the generator, so a template
// made by an older schema or generator is not used: it is dropped and built again. Postgres only.

import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { hash } from '@node-rs/argon2';
import { ARGON2_PARAMETERS } from '../../src/accounts/password-hasher.js';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import { withKapiServices } from '../lib/kapi-setup.js';
import { ROOT } from '../lib/servers.js';
import { adminQuery, databaseUrl, deleteRedisPrefix, redisClient, randomSuffix } from '../lib/storage.js';
import { fillStatements, GROWTH_INSTITUTIONS, GROWTH_PASSWORDS, growthSizes, institutionId } from './fill.js';

const PREFIX = 'kapi_growth_';

/** What decides the template's content: every migration file and this generator. */
async function contentHash(): Promise<string> {
  const files: string[] = [];
  const collect = async (dir: string) => {
    for (const entry of await readdir(path.join(ROOT, dir), { withFileTypes: true }).catch(() => [])) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) await collect(rel);
      else if (entry.name.endsWith('.ts')) files.push(rel);
    }
  };
  await collect('migrations');
  for (const m of await readdir(path.join(ROOT, 'interactions'))) await collect(path.join('interactions', m, 'migrations'));
  files.push('bench/data-growth/fill.ts');
  const h = createHash('sha256');
  for (const f of files.sort())
    h.update(f)
      .update('\0')
      .update(await readFile(path.join(ROOT, f)))
      .update('\0');
  return h.digest('hex').slice(0, 10);
}

export async function templateName(scale: number): Promise<string> {
  // scale 1 → s1, 0.01 → s0_01 (a database name allows no dot)
  return `${PREFIX}${await contentHash()}_s${String(scale).replace('.', '_')}`;
}

export interface GrowthTemplate {
  name: string;
  scale: number;
  built: boolean; // built by this call (else found)
  buildSeconds?: number;
  steps: Array<{ what: string; seconds: number }>;
  bytes: number;
}

async function exists(name: string): Promise<boolean> {
  const r = await adminQuery<{ ok: boolean }>('select datistemplate as ok from pg_database where datname = $1', [name]);
  return r.rows[0]?.ok === true;
}

async function size(name: string): Promise<number> {
  const r = await adminQuery<{ bytes: string }>('select pg_database_size($1)::text as bytes', [name]);
  return Number(r.rows[0]?.bytes ?? NaN);
}

/**
 * The template for `scale`, built if missing (with `log` telling each step and its time). Templates of
 * other hashes at the same scale are dropped: they belong to an older schema.
 */
export async function ensureTemplate(scale: number, log: (line: string) => void): Promise<GrowthTemplate> {
  const name = await templateName(scale);
  if (await exists(name)) {
    const r = await adminQuery<{ description: string | null }>('select shobj_description(oid, $2) as description from pg_database where datname = $1', [
      name,
      'pg_database',
    ]);
    const recorded = JSON.parse(r.rows[0]?.description ?? '{}') as { buildSeconds?: number; steps?: GrowthTemplate['steps'] };
    return { name, scale, built: false, buildSeconds: recorded.buildSeconds, steps: recorded.steps ?? [], bytes: await size(name) };
  }
  const suffix = `_s${String(scale).replace('.', '_')}`;
  const stale = await adminQuery<{ datname: string }>('select datname from pg_database where datname like $1 and datname <> $2', [`${PREFIX}%`, name]);
  for (const { datname } of stale.rows) {
    if (!datname.endsWith(suffix) && !datname.endsWith(`${suffix}_building`)) continue;
    log(`  dropping the stale data-growth database ${datname}`);
    await adminQuery(`alter database ${datname} is_template false`).catch(() => undefined);
    await adminQuery(`drop database if exists ${datname} with (force)`);
  }
  const building = `${name}_building`;
  await adminQuery(`drop database if exists ${building} with (force)`);
  await adminQuery(`create database ${building}`);
  const started = performance.now();
  const steps: GrowthTemplate['steps'] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    const seconds = (performance.now() - t0) / 1000;
    steps.push({ what, seconds: Math.round(seconds * 10) / 10 });
    log(`  ${what}: ${seconds.toFixed(1)} s`);
  };
  const url = databaseUrl(building);
  await step('migrations', async () => {
    const db = await openDatabase({ databaseUrl: url, dataDir: '' });
    try {
      await migrateLatest(db);
    } finally {
      await closeDatabase(db);
    }
  });
  // The institutions the history names, registered as `kapi clients add` would (their names show on
  // the citizen's pages). A private Redis prefix, removed afterwards.
  await step(`${GROWTH_INSTITUTIONS} institutions`, async () => {
    const prefix = `kapi-growth-build-${randomSuffix()}:`;
    const redis = redisClient();
    try {
      await withKapiServices(
        { DATABASE_URL: url, REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', KAPI_REDIS_PREFIX: prefix },
        async (s) => {
          for (let i = 1; i <= GROWTH_INSTITUTIONS; i++) {
            await s.clients.add({
              clientId: institutionId(i),
              clientSecret: randomBytes(24).toString('base64url'),
              name: `Büyüme Kurumu ${i}`,
              redirectUris: [`https://inst-${i}.example/cb`],
              authMethod: 'client_secret_basic',
              scopes: ['openid', 'profile', 'national_id'],
            });
          }
        },
      );
    } finally {
      await deleteRedisPrefix(redis, prefix);
      redis.disconnect();
    }
  });
  const hashes: string[] = [];
  await step('password hashes', async () => {
    for (const p of GROWTH_PASSWORDS) hashes.push(await hash(p, { algorithm: 2, version: 1, ...ARGON2_PARAMETERS }));
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Bulk load: no WAL flush per statement, foreign keys not re-checked row by row (the rows are
    // consistent by construction), room for the index builds.
    await client.query("set synchronous_commit = off; set session_replication_role = replica; set maintenance_work_mem = '256MB'; set work_mem = '64MB'");
    await client.query('select setseed(0.24)');
    // Secondary indexes are dropped while the rows go in and built again from their own definitions
    // afterwards: one sorted build instead of millions of random insertions (constraints stay).
    const secondary = (
      await client.query<{ indexdef: string; indexname: string }>(
        `select indexname, indexdef from pg_indexes where schemaname = 'public'
            and indexname not in (select conname from pg_constraint)`,
      )
    ).rows;
    for (const i of secondary) await client.query(`drop index ${i.indexname}`);
    for (const { what, sql } of fillStatements(scale, hashes)) await step(what, () => client.query(sql));
    await step(`${secondary.length} secondary indexes`, async () => {
      for (const i of secondary) await client.query(i.indexdef);
    });
    await client.query('set session_replication_role = origin');
    // The visibility map and the planner's statistics, as a database that has lived would have them.
    await step('vacuum analyze', () => client.query('vacuum (analyze)'));
  } finally {
    await client.end();
  }
  const buildSeconds = Math.round((performance.now() - started) / 1000);
  const sizes = growthSizes(scale);
  await adminQuery(`alter database ${building} rename to ${name}`);
  await adminQuery(
    `comment on database ${name} is '${JSON.stringify({ scale, sizes, buildSeconds, steps, builtAt: new Date().toISOString() }).replace(/'/g, "''")}'`,
  );
  await adminQuery(`alter database ${name} is_template true allow_connections false`);
  const bytes = await size(name);
  log(`  built ${name} in ${buildSeconds} s, ${(bytes / 2 ** 30).toFixed(2)} GiB`);
  return { name, scale, built: true, buildSeconds, steps, bytes };
}

/** A fresh copy of the template for one benchmark run (a file copy: seconds, not a rebuild). */
export async function copyTemplate(template: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `kapi_bench_grown_${randomSuffix()}`;
  await adminQuery(`create database ${name} template ${template} strategy file_copy`);
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
