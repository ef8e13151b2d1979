import { describe, expect, it } from '@jest/globals';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';

// A rolling deployment (docs/architecture.md, "Migrations: expand, then contract"): the new release
// migrates the schema while processes of the previous release still run. A process of the previous
// release that restarts then (a crash, an autoscaler) finds migrations it does not know in
// knex_migrations. knex calls that a corrupt migration directory and refuses; Kapı starts, because
// every migration only expands the schema, and says the schema is ahead of it.

describe('migrations on a schema a newer release has already migrated', () => {
  it('an older release starts on it instead of refusing', async () => {
    const db = await openDatabase({ dataDir: ':memory:', memory: true, snapshot: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT });
    try {
      await migrateLatest(db);
      const before = await db('knex_migrations').count<{ count: string | number }[]>('* as count');
      // What the next release's migration leaves behind: a row for a name this release does not list.
      await db('knex_migrations').insert({ name: '999_from_a_newer_release', batch: 99, migration_time: new Date() });
      await expect(migrateLatest(db)).resolves.toBeUndefined();
      const after = await db('knex_migrations').count<{ count: string | number }[]>('* as count');
      expect(Number(after[0]!.count)).toBe(Number(before[0]!.count) + 1);
    } finally {
      await closeDatabase(db);
    }
  });
});
