import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import type { Database } from '../../adapters/storage/port.js';
import { migrationSource } from '../../migrations/index.js';
import { createTestDatabase } from '../support/services.js';

// Several Kapı processes started at once on one new Postgres database (two replicas of a compose file,
// a rolling start) each run the migrations at start. Property: every start succeeds and each migration
// runs once (was: knex refused the second with "Migration table is already locked", or two creations of
// its own tables collided, and that process did not start). Postgres only: an embedded database belongs
// to one process, which its lock file enforces.

const run = process.env.DATABASE_URL ? describe : describe.skip;

run('fault: the first start of several processes on one empty database', () => {
  const pools: Database[] = [];
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const pg = await createTestDatabase({ empty: true });
    drop = pg.drop;
    // One pool per "process": four knex instances, as four servers would have.
    for (let i = 0; i < 4; i++) pools.push(await openDatabase({ databaseUrl: pg.url, dataDir: ':memory:' }));
  });
  afterAll(async () => {
    for (const db of pools) await closeDatabase(db);
    await drop?.();
  });

  it('four concurrent migrations all succeed, and every migration is recorded once', async () => {
    const outcomes = await Promise.allSettled(pools.map((db) => migrateLatest(db)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'migrated' : String(o.reason)))).toEqual(Array(4).fill('migrated'));
    const listed = (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m));
    const applied = (await pools[0]!('knex_migrations').select('name')) as { name: string }[];
    expect(applied.map((r) => r.name).sort()).toEqual([...listed].sort());
  }, 120_000);
});
