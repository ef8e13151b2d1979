import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Personal-data retention (README: KAPI_RETENTION_DAYS; docs/performance.md "Data growth"): it forgets
// exactly what is older than the period (sign-ins, claim releases, audit events, the session index) and
// nothing else, and it does so in bounded batches, each statement deleting at most `batchSize` rows, so
// that a purge of millions of rows never holds a long lock beside the sign-ins writing to the same tables.

const DAY = 86400_000;
const PERIOD = 730;
const BATCH = 3;

describe('retention', () => {
  let t: TestKapi;
  let db: Knex;
  let accountId: string;
  const deletes: Record<string, number> = {};
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  // Rows on each side of the period's boundary: 7 too old (more than two batches), 2 young enough.
  const OLD = [731, 740, 800, 900, 1000, 1500, 2000];
  const YOUNG = [1, PERIOD - 1];

  beforeAll(async () => {
    t = await startKapi();
    db = t.kapi.services.db;
    accountId = (await t.kapi.services.accounts.findByNationalId('10000000146'))!.id;
    for (const table of ['sign_ins', 'claim_releases', 'audit_events', 'login_sessions', 'operator_audit']) await db(table).del();
    for (const days of [...OLD, ...YOUNG]) {
      const at = ago(days);
      await db('sign_ins').insert({ at, account_id: accountId, method: 'password', result: 'success' });
      await db('claim_releases').insert({ at, account_id: accountId, client_id: 'inst', claims: ['sub'], channel: 'userinfo' });
      await db('audit_events').insert({ at, type: 'retention.test', account_id: accountId });
      await db('login_sessions').insert({
        uid: randomUUID(),
        account_id: accountId,
        methods: ['password'],
        acr: 'low',
        amr: ['pwd'],
        signed_in_at: new Date(at.getTime() - 8 * 3600_000),
        created_at: new Date(at.getTime() - 8 * 3600_000),
        expires_at: at,
      });
      // Not personal data under this period: the operators' own record (013_operators) stays.
      await db('operator_audit').insert({ at, action: 'retention.test', actor: 'tester', via: 'cli' });
    }
    db.on('query', (q: { sql: string }) => {
      const m = /^delete from "(\w+)"/i.exec(q.sql);
      if (m) deletes[m[1]!] = (deletes[m[1]!] ?? 0) + 1;
    });
    await t.kapi.services.audit.purgeOlderThan(PERIOD, BATCH);
    await t.kapi.services.sessions.purgeOlderThan(ago(PERIOD), BATCH);
  });
  afterAll(async () => {
    await t.stop();
  });

  const ages = async (table: string, column: string) =>
    ((await db(table).select(column)) as Record<string, Date>[])
      .map((r) => Math.round((Date.now() - new Date(r[column]!).getTime()) / DAY))
      .sort((a, b) => a - b);

  it.each([
    ['sign_ins', 'at'],
    ['claim_releases', 'at'],
    ['audit_events', 'at'],
    ['login_sessions', 'expires_at'],
  ])('%s keeps exactly the rows younger than the period', async (table, column) => {
    expect(await ages(table, column)).toEqual(YOUNG);
  });

  it('leaves the operators’ record alone', async () => {
    expect(await ages('operator_audit', 'at')).toEqual([...YOUNG, ...OLD].sort((a, b) => a - b));
  });

  it.each(['sign_ins', 'claim_releases', 'audit_events', 'login_sessions'])('%s is purged in batches of at most the batch size', (table) => {
    // 7 rows in batches of 3: 3 + 3 + 1, each its own statement (a single delete would be one).
    expect(deletes[table]).toBe(Math.ceil(OLD.length / BATCH));
  });
});
