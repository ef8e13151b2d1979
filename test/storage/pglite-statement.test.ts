import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import { fixedStatement, runFixed } from '../../adapters/storage/fixed-sql.js';
import type { Database } from '../../adapters/storage/port.js';

// The token path's fixed statements on PGlite, the embedded default (issue 24 point 3): each is parsed
// once per PGlite and then run as a named prepared statement, one call into the WebAssembly per run, and
// still planned with its values every run (never a generic plan: issue 8). Its answers must be those of
// PGlite's own query, value for value, and an error must leave the connection usable.

type PgLite = { query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> };

describe('fixed statements on PGlite: named prepared statements', () => {
  let db: Database;
  let pglite: PgLite;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: ':memory:', memory: true, snapshot: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT });
    await migrateLatest(db);
    pglite = (db.client as unknown as { pglite: PgLite }).pglite;
    await pglite.query(`create table fixed_probe (id text primary key, body jsonb, n float8, at timestamptz, ok boolean, big int8, note text)`);
  });
  afterAll(async () => closeDatabase(db));

  const INSERT = fixedStatement(
    'probe_insert',
    'insert into fixed_probe (id, body, n, at, ok, big, note) values (?, ?::jsonb, ?::float8, to_timestamp(?::float8), ?, ?, ?) returning id',
  );
  const READ = fixedStatement('probe_read', 'select id, body, n, at, ok, big, note, ? as echoed from fixed_probe where id = ?');

  it('answers the rows PGlite.query answers, types parsed alike, nulls kept', async () => {
    expect(await runFixed(db, INSERT, ['a', '{"x":[1,"é"],"y":null}', 1.5, 1_700_000_000, true, 42, 'line\nbreak ü'])).toEqual([{ id: 'a' }]);
    expect(await runFixed(db, INSERT, ['b', null, null, null, null, null, null])).toEqual([{ id: 'b' }]);
    for (const key of ['a', 'b', 'missing']) {
      const mine = await runFixed(db, READ, ['echo', key]);
      const theirs = (await pglite.query(READ.pgText, ['echo', key])).rows;
      expect(mine).toEqual(theirs);
    }
    const [a] = await runFixed<Record<string, unknown>>(db, READ, ['echo', 'a']);
    expect(a).toEqual({
      id: 'a',
      body: { x: [1, 'é'], y: null },
      n: 1.5,
      at: new Date(1_700_000_000_000),
      ok: true,
      big: 42,
      note: 'line\nbreak ü',
      echoed: 'echo',
    });
  });

  it('parses a statement once per PGlite and plans each run with its values (red before: no prepared statement)', async () => {
    const COUNT = fixedStatement('probe_count', 'select count(*)::int as n from fixed_probe where id <> ?');
    for (let i = 0; i < 7; i++) await runFixed(db, COUNT, [`x${i}`]);
    const prepared = (await pglite.query('select generic_plans, custom_plans from pg_prepared_statements where statement = $1', [COUNT.pgText])).rows;
    // One prepared statement, run seven times, never with a generic plan (plan_cache_mode, database.ts).
    expect(prepared).toEqual([{ generic_plans: 0, custom_plans: 7 }]);
  });

  it('passes a database error on with its code, and the next statements run', async () => {
    await expect(runFixed(db, INSERT, ['a', null, null, null, null, null, null])).rejects.toMatchObject({ code: '23505' });
    expect(await runFixed(db, INSERT, ['c', null, null, null, null, null, null])).toEqual([{ id: 'c' }]);
    expect((await runFixed<{ id: string }>(db, READ, ['e', 'c'])).map((r) => r.id)).toEqual(['c']);
    // knex's own statements share the connection and are not disturbed.
    expect(await db('fixed_probe').where({ id: 'c' }).pluck('id')).toEqual(['c']);
  });

  it('prepares again when the statement is gone or its columns changed (a migration)', async () => {
    const ALL = fixedStatement('probe_all', 'select * from fixed_probe where id = ?');
    expect(Object.keys((await runFixed<Record<string, unknown>>(db, ALL, ['a']))[0]!)).not.toContain('added');
    await pglite.query('deallocate all');
    expect(await runFixed(db, ALL, ['a'])).toHaveLength(1);
    await pglite.query('alter table fixed_probe add column added text');
    expect(Object.keys((await runFixed<Record<string, unknown>>(db, ALL, ['a']))[0]!)).toContain('added');
  });

  it('inside a knex transaction runs in that transaction', async () => {
    await db
      .transaction(async (trx) => {
        await runFixed(trx, INSERT, ['t', null, null, null, null, null, null]);
        expect(await runFixed(trx, READ, ['e', 't'])).toHaveLength(1);
        await trx.rollback();
      })
      .catch(() => undefined);
    expect(await runFixed(db, READ, ['e', 't'])).toEqual([]);
  });
});
