import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { AccountRepository } from '../../src/accounts/account-repository.js';
import { AuditLog } from '../../src/security/audit.js';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import { recordKey } from '../../adapters/storage/oidc-common.js';
import { PostgresOidcAdapter } from '../../adapters/storage/oidc-postgres.js';
import type { Database } from '../../adapters/storage/port.js';
import { batchCounts, batcherFor, type BatchShape, StatementBatcher } from '../../adapters/storage/statement-batch.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, postgresAvailable, requireOrSkip } from '../support/services.js';

// Statements that concurrent requests send in the same turn of the event loop share one statement
// (issue 8). What must hold: each caller gets its own row, single use stays single use when the same
// token is consumed twice in one batch, one bad item fails only its own caller, and a transaction is
// never batched. Every call below is started in one turn (Promise.all), as concurrent requests are.

const describePostgres = requireOrSkip('Postgres', await postgresAvailable(), POSTGRES_ADMIN_URL);

const id = () => randomBytes(12).toString('hex');

function batching(open: () => Promise<{ db: Database; close: () => Promise<void> }>): void {
  let db: Database;
  let close: () => Promise<void>;
  const tokens = (onReplay?: (grantId: string) => Promise<void>) => new PostgresOidcAdapter('RefreshToken', db, onReplay ? { onReplay } : {});

  beforeAll(async () => ({ db, close } = await open()));
  afterAll(async () => close());

  /** Statements and items each shape sent during fn. */
  async function counted(fn: () => Promise<unknown>): Promise<Record<string, { statements: number; items: number; failedBatches: number }>> {
    const before = batchCounts(db);
    await fn();
    const after = batchCounts(db);
    return Object.fromEntries(
      Object.entries(after).map(([name, c]) => {
        const b = before[name] ?? { statements: 0, items: 0, failedBatches: 0 };
        return [name, { statements: c.statements - b.statements, items: c.items - b.items, failedBatches: c.failedBatches - b.failedBatches }];
      }),
    );
  }

  it('writes and reads many records in one statement each, every caller getting its own', async () => {
    const ids = Array.from({ length: 6 }, id);
    const writes = await counted(() =>
      Promise.all(ids.map((jti, i) => tokens().upsert(jti, { jti, kind: 'RefreshToken', grantId: `g${i}`, accountId: `a${i}`, clientId: 'c' }, 600))),
    );
    expect(writes.oidc_upsert).toEqual({ statements: 1, items: 6, failedBatches: 0 });
    const unknown = id();
    let found: Awaited<ReturnType<PostgresOidcAdapter['find']>>[] = [];
    const reads = await counted(async () => (found = await Promise.all([...ids, unknown].map((jti) => tokens().find(jti)))));
    // A refresh token is read with its grant.
    expect(reads.oidc_find_with_grant).toEqual({ statements: 1, items: 7, failedBatches: 0 });
    expect(found.slice(0, 6).map((p) => p?.accountId)).toEqual(ids.map((_, i) => `a${i}`));
    expect(found.slice(0, 6).map((p) => p?.jti)).toEqual(ids);
    expect(found[6]).toBeUndefined();
    // The batch really was one statement per shape: six rows, seven reads.
    const rows = (await db('oidc_models').whereIn('id', ids.map(recordKey)).count({ n: '*' })) as Array<{ n: string | number }>;
    expect(Number(rows[0]!.n)).toBe(6);
  });

  it('reads records that do not belong to a grant in one statement too', async () => {
    const grants = () => new PostgresOidcAdapter('Grant', db);
    const ids = [id(), id(), id()];
    await Promise.all(ids.map((jti, i) => grants().upsert(jti, { jti, kind: 'Grant', accountId: `a${i}`, clientId: 'c' }, 600)));
    let found: Awaited<ReturnType<PostgresOidcAdapter['find']>>[] = [];
    const reads = await counted(async () => (found = await Promise.all([id(), ...ids].map((jti) => grants().find(jti)))));
    expect(reads.oidc_find).toEqual({ statements: 1, items: 4, failedBatches: 0 });
    expect(found.map((g) => g?.accountId)).toEqual([undefined, 'a0', 'a1', 'a2']);
  });

  it('sends one statement for a turn of concurrent finds', async () => {
    const ids = Array.from({ length: 5 }, id);
    await Promise.all(ids.map((jti) => tokens().upsert(jti, { jti, kind: 'RefreshToken', grantId: 'g', accountId: 'a', clientId: 'c' }, 600)));
    const shape: BatchShape<string, string> = {
      name: 'test_echo',
      many: async (_db, items) => items.map((x) => `many:${x}`),
      one: async (_db, x) => `one:${x}`,
    };
    const batcher = batcherFor(db, shape);
    expect(await Promise.all(['a', 'b', 'c'].map((x) => batcher.run(x)))).toEqual(['many:a', 'many:b', 'many:c']);
    expect(await batcher.run('d')).toBe('one:d');
    expect(batcher.counts).toMatchObject({ statements: 2, items: 4, failedBatches: 0 });
  });

  it('consumes a token once when two requests consume it in the same batch, and revokes its grant', async () => {
    const jti = id();
    await tokens().upsert(jti, { jti, kind: 'RefreshToken', grantId: 'grant-x', accountId: 'a', clientId: 'c' }, 600);
    const other = id();
    await tokens().upsert(other, { jti: other, kind: 'RefreshToken', grantId: 'grant-y', accountId: 'a', clientId: 'c' }, 600);
    const replays: string[] = [];
    const adapter = tokens(async (g) => void replays.push(g));
    let outcomes: PromiseSettledResult<void>[] = [];
    const consumes = await counted(async () => (outcomes = await Promise.allSettled([adapter.consume(jti), adapter.consume(jti), adapter.consume(other)])));
    expect(consumes.oidc_consume).toEqual({ statements: 1, items: 3, failedBatches: 0 });
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant', error_detail: expect.stringMatching(/already used/) });
    expect(replays).toEqual(['grant-x']);
    expect(typeof (await tokens().find(jti))?.consumed).toBe('number');
  });

  it('fails only the bad item of a batch, and stores the others', async () => {
    const good = [id(), id()];
    const bad = id();
    const outcomes = await Promise.allSettled([
      tokens().upsert(good[0]!, { jti: good[0]!, kind: 'RefreshToken', accountId: 'a', clientId: 'c' }, 600),
      // Postgres refuses \u0000 in jsonb: this item's statement fails, whoever it is batched with.
      tokens().upsert(bad, { jti: bad, kind: 'RefreshToken', accountId: 'a\u0000b', clientId: 'c' }, 600),
      tokens().upsert(good[1]!, { jti: good[1]!, kind: 'RefreshToken', accountId: 'a', clientId: 'c' }, 600),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await tokens().find(good[0]!)).toMatchObject({ accountId: 'a' });
    expect(await tokens().find(good[1]!)).toMatchObject({ accountId: 'a' });
    expect(await tokens().find(bad)).toBeUndefined();
  });

  it('keeps the last of two writes of one record in one turn', async () => {
    const jti = id();
    await Promise.all([
      tokens().upsert(jti, { jti, kind: 'RefreshToken', accountId: 'first', clientId: 'c' }, 600),
      tokens().upsert(jti, { jti, kind: 'RefreshToken', accountId: 'second', clientId: 'c' }, 600),
    ]);
    expect(await tokens().find(jti)).toMatchObject({ accountId: 'second' });
  });

  it('runs at once, in the transaction, when the caller holds one', async () => {
    const jti = id();
    await db
      .transaction(async (trx) => {
        await new PostgresOidcAdapter('RefreshToken', trx).upsert(jti, { jti, kind: 'RefreshToken', accountId: 'in-trx', clientId: 'c' }, 600);
        expect(await new PostgresOidcAdapter('RefreshToken', trx).find(jti)).toMatchObject({ accountId: 'in-trx' });
        await trx.rollback();
      })
      .catch(() => undefined);
    expect(await tokens().find(jti)).toBeUndefined();
  });

  it('reads accounts by id in one statement, whatever the case of the id', async () => {
    const accounts = new AccountRepository(db);
    const made = await Promise.all(
      ['Ayşe', 'Mehmet'].map((givenName, i) =>
        accounts.create({
          nationalId: `1000000${i}${Math.floor(Math.random() * 1000)}`.padEnd(11, '0'),
          nationalIdType: 'citizen',
          givenName,
          familyName: 'Test',
          birthdate: '1990-01-01',
        } as never),
      ),
    );
    let found: Awaited<ReturnType<AccountRepository['findById']>>[] = [];
    const reads = await counted(
      async () => (found = await Promise.all([made[0]!.id.toUpperCase(), made[1]!.id, randomUUID()].map((x) => accounts.findById(x)))),
    );
    expect(reads.account_by_id).toEqual({ statements: 1, items: 3, failedBatches: 0 });
    expect(found.map((a) => a?.givenName)).toEqual(['Ayşe', 'Mehmet', undefined]);
  });

  it('records claim releases of concurrent answers, each with its own claims', async () => {
    const audit = new AuditLog(db);
    const accountId = randomUUID();
    const writes = await counted(() =>
      Promise.all([
        audit.claimRelease(accountId, 'client-a', ['sub', 'name'], 'id_token'),
        audit.claimRelease(accountId, 'client-b', ['email'], 'userinfo'),
        audit.claimRelease(accountId, 'client-a', ['address', 'phone_number', 'birthdate'], 'userinfo'),
      ]),
    );
    expect(writes.claim_releases_insert).toEqual({ statements: 1, items: 3, failedBatches: 0 });
    const rows = (await db('claim_releases').where({ account_id: accountId }).orderBy('id')) as Array<{ client_id: string; claims: string[]; channel: string }>;
    expect(rows.map((r) => [r.client_id, r.claims, r.channel])).toEqual([
      ['client-a', ['sub', 'name'], 'id_token'],
      ['client-b', ['email'], 'userinfo'],
      ['client-a', ['address', 'phone_number', 'birthdate'], 'userinfo'],
    ]);
  });
}

describe('statement batching: PGlite', () => {
  batching(async () => {
    const db = await openDatabase({ dataDir: ':memory:', memory: true, snapshot: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT });
    await migrateLatest(db);
    return { db, close: () => closeDatabase(db) };
  });
});

describePostgres('statement batching: Postgres', () => {
  batching(async () => {
    const database = await createTestDatabase();
    const db = await openDatabase({ databaseUrl: database.url, dataDir: ':memory:' });
    await migrateLatest(db);
    return {
      db,
      close: async () => {
        await closeDatabase(db);
        await database.drop();
      },
    };
  });
});

describe('statement batcher', () => {
  it('splits a long turn into statements of at most 64 items', async () => {
    const sizes: number[] = [];
    const batcher = new StatementBatcher({} as Database, {
      name: 'sizes',
      many: async (_db, items: number[]) => (sizes.push(items.length), items),
      one: async (_db, x: number) => (sizes.push(1), x),
    });
    const all = Array.from({ length: 129 }, (_, i) => i);
    expect(await Promise.all(all.map((x) => batcher.run(x)))).toEqual(all);
    expect(sizes).toEqual([64, 64, 1]);
  });
});
