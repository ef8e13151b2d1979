import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import knex from 'knex';
import ClientPgLite from 'knex-pglite';

/**
 * knex-pglite reports a delete as command 'DEL', which knex does not recognise, so `.del()` would
 * answer the raw response instead of the number of rows removed. Normalise it once here.
 */
class PgLiteClient extends (ClientPgLite as unknown as new (...args: unknown[]) => { processResponse(obj: unknown, runner: unknown): unknown }) {
  override processResponse(obj: { method?: string } | null, runner: unknown): unknown {
    return super.processResponse(obj && obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}
import { migrationSource } from '../../migrations/index.js';
import type { Database } from './port.js';

// The one knex instance of a process: Postgres when DATABASE_URL is set, otherwise PGlite (Postgres
// compiled to WebAssembly, in-process) persisted under the data directory, or kept in memory for tests.

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite keeps its files under `<dataDir>/pglite`; ':memory:' keeps them in memory. */
  dataDir: string;
  /** An in-memory PGlite (tests), whatever dataDir says. */
  memory?: boolean | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    return knex({
      client: 'pg',
      connection: options.databaseUrl,
      // min 0: idle connections are closed, so a quiet process holds none.
      pool: { min: 0, max: 10 },
    });
  }
  const memory = options.memory === true || options.dataDir === ':memory:';
  const filename = memory ? undefined : path.resolve(options.dataDir, 'pglite');
  if (filename) await mkdir(filename, { recursive: true });
  // PGlite has exactly one connection (knex-pglite pins the pool to 1 and refuses a pool option).
  // Consequence for callers: inside a transaction use only the transaction object; a query on
  // `db` would wait for the connection the transaction holds, forever.
  return knex({ client: PgLiteClient as unknown as typeof ClientPgLite, dialect: 'postgres', connection: filename ? { filename } : {} });
}

export async function migrateLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.destroy();
}
