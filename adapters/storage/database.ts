import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type ClientPgLite from 'knex-pglite';
import { migrationSource } from '../../migrations/index.js';
import type { Database } from './port.js';
import { handlePostgresFailover } from './postgres-failover.js';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';

/**
 * The knex client for PGlite, loaded only when the embedded database is opened: PGlite's bundle (with
 * its inline source map, about 4 MiB of strings) would otherwise sit in the heap of every server on
 * Postgres, where each major garbage collection goes over it. knex-pglite reports a delete as command
 * 'DEL', which knex does not recognise, so `.del()` would answer the raw response instead of the number
 * of rows removed; the subclass normalises it once here.
 */
let pgLiteClient: Promise<typeof ClientPgLite> | undefined;
const loadPgLiteClient = () => (pgLiteClient ??= definePgLiteClient());

async function definePgLiteClient(): Promise<typeof ClientPgLite> {
  const { default: Base } = await import('knex-pglite');
  class PgLiteClient extends (Base as unknown as new (...args: unknown[]) => { processResponse(obj: unknown, runner: unknown): unknown }) {
    override processResponse(obj: { method?: string } | null, runner: unknown): unknown {
      return super.processResponse(obj && obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
    }
  }
  return PgLiteClient as unknown as typeof ClientPgLite;
}

/**
 * Postgres's shared buffers live in PGlite's WebAssembly memory, which only grows: Postgres's default
 * (128 MB) filled as the tables grew and stayed resident for the life of the process. 32 MB holds the
 * token path's working set (the indexes' upper levels and the newest pages of oidc_models); a page that
 * falls out is read back from the data directory through the operating system's page cache. Measured
 * in bench/notes.md ("Where the RSS goes").
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/**
 * PGlite under `filename`, or in memory; an in-memory one may start from a dump instead of running initdb
 * (OpenDatabaseOptions.snapshot).
 */
async function newPgLite(filename: string | undefined, snapshot: string | undefined): Promise<unknown> {
  // The CommonJS build, the one knex-pglite loads: importing the ESM build too would put a second copy
  // of PGlite's bundle in the heap.
  const { PGlite } = createRequire(import.meta.url)('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const dump =
    filename || !snapshot
      ? undefined
      : await readFile(snapshot).catch((err: NodeJS.ErrnoException) => {
          throw new KapiError('config_invalid', `KAPI_EMBEDDED_SNAPSHOT: cannot read ${snapshot} (${err.code ?? err.message})`);
        });
  return new PGlite({
    dataDir: filename,
    loadDataDir: dump ? new Blob([dump]) : undefined,
    // plan_cache_mode: the token path's statements are prepared once per instance (pglite-statement.ts);
    // Postgres plans each run with its values, never a generic plan (see fixed-sql.ts). knex's own
    // statements are unnamed and were planned with their values already.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`, '-c', 'plan_cache_mode=force_custom_plan'],
  });
}

// The one knex instance of a process: Postgres when DATABASE_URL is set, otherwise PGlite (Postgres
// compiled to WebAssembly, in-process) persisted under the data directory, or kept in memory for tests.

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite keeps its files under `<dataDir>/pglite`; ':memory:' keeps them in memory. */
  dataDir: string;
  /** An in-memory PGlite (tests), whatever dataDir says. */
  memory?: boolean | undefined;
  /** In memory only: a PGlite data-directory dump (dumpDataDir) to start from instead of running initdb. */
  snapshot?: string | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // Behind an HA endpoint a failover cuts connections or leaves them on a standby: see postgres-failover.ts.
    return handlePostgresFailover(
      knex({
        client: 'pg',
        connection: options.databaseUrl,
        // min 0: idle connections are closed, so a quiet process holds none.
        pool: { min: 0, max: 10 },
      }),
    );
  }
  const memory = options.memory === true || options.dataDir === ':memory:';
  const filename = memory ? undefined : path.resolve(options.dataDir, 'pglite');
  if (filename) {
    await mkdir(filename, { recursive: true });
    await acquireDataDirLock(path.resolve(options.dataDir));
  }
  // PGlite has exactly one connection (knex-pglite pins the pool to 1 and refuses a pool option).
  // Consequence for callers: inside a transaction use only the transaction object; a query on
  // `db` would wait for the connection the transaction holds, forever.
  // knex-pglite takes a ready-made PGlite as `connection.pglite` (knex's own type does not know it).
  const connection = { pglite: await newPgLite(filename, options.snapshot) };
  const db = knex({ client: await loadPgLiteClient(), dialect: 'postgres', connection: connection as Knex.StaticConnectionConfig });
  if (filename) locks.set(db, lockPath(path.resolve(options.dataDir)));
  return db;
}

// PGlite is a database inside one process: two processes opening the same data directory would corrupt
// it. A lock file holding the owner's pid keeps the server and `kapi` commands apart; a lock left by a
// process that no longer runs is taken over.
const locks = new WeakMap<Database, string>();
const lockPath = (dataDir: string) => path.join(dataDir, 'kapi.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireDataDirLock(dataDir: string): Promise<void> {
  const file = lockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && alive(owner)) {
        throw new KapiError(
          'config_invalid',
          `the embedded database in ${dataDir} is in use by process ${owner}: stop the Kapı server (or the other kapi command) first`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new KapiError('config_invalid', `could not lock the embedded database in ${dataDir}`);
}

/**
 * Runs the migrations this release lists that the database lacks. A database a newer release has already
 * migrated (a rolling deployment: the new release migrates while the previous one still runs, and one of
 * its processes restarts) holds names this release does not list; knex would call that a corrupt
 * migration directory and refuse to start. Migrations only expand the schema (expand/contract, checked by
 * test/unit/migrations-additive.test.ts), so this release runs on it, and says so.
 */
export async function migrateLatest(db: Database): Promise<void> {
  await oneMigratorAtATime(db, async () => {
    const ahead = await migrationsFromNewerReleases(db);
    if (ahead.length > 0) log.warn({ migrations: ahead }, 'the database schema is ahead of this release (migrated by a newer one): running on it');
    await db.migrate.latest({ migrationSource, disableMigrationsListValidation: ahead.length > 0 });
  });
}

// Any 64-bit number of Kapı's own: the advisory lock that several processes starting at once on one
// Postgres take in turn around their migrations.
const MIGRATION_LOCK_KEY = 4_735_100_021;

/**
 * Several processes starting at once on one new database would each create knex's own tables (and the
 * second collide on Postgres's catalog) or find knex's migration lock taken and refuse to start. A
 * session-level advisory lock, held on one connection of the pool while the migrations run on its others,
 * makes them wait their turn; the ones after the first find nothing left to do. Session-level, not a
 * transaction's: a migration that creates an index concurrently waits for every open transaction, so a
 * lock held inside one would wait for itself. The lock goes with its connection if the process dies. An
 * embedded database has one connection and one process (its lock file), so it needs none.
 */
async function oneMigratorAtATime(db: Database, migrate: () => Promise<void>): Promise<void> {
  if ((db.client as { pglite?: unknown }).pglite) return migrate();
  const client = db.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    // Asked again and again rather than waited for in one statement: a waiting statement holds a
    // snapshot, and a concurrent index build of the migrating process would wait for it in turn.
    while (!(await db.raw('select pg_try_advisory_lock(?) as taken', [MIGRATION_LOCK_KEY]).connection(connection)).rows[0]?.taken) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    try {
      await migrate();
    } finally {
      await db.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

async function migrationsFromNewerReleases(db: Database): Promise<string[]> {
  if (!(await db.schema.hasTable('knex_migrations'))) return [];
  const listed = new Set((await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m)));
  const applied = (await db('knex_migrations').select('name')) as { name: string }[];
  return applied.map((row) => row.name).filter((name) => !listed.has(name));
}

export async function closeDatabase(db: Database): Promise<void> {
  const pglite = (db.client as { pglite?: { waitReady?: Promise<void>; closed?: boolean; close(): Promise<void> } }).pglite;
  if (pglite) {
    // knex-pglite's pool destroyer closes PGlite too, possibly after db.destroy() has resolved; a
    // second close() while the first runs throws "PGlite is closing" there, unhandled (it crashed a
    // test run). Every close shares one promise.
    const closeOnce = pglite.close.bind(pglite);
    let closing: Promise<void> | undefined;
    pglite.close = () => (closing ??= closeOnce());
  }
  await db.destroy();
  // knex-pglite creates PGlite in its constructor but closes it only if a connection was ever
  // acquired: a database opened and closed without a query would go on starting up in the
  // background. Close it explicitly once it is ready.
  if (pglite && !pglite.closed) {
    await pglite.waitReady?.catch(() => undefined);
    if (!pglite.closed) await pglite.close().catch(() => undefined);
  }
  const lock = locks.get(db);
  if (lock) await rm(lock, { force: true });
}
