import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import type { Database } from '../../adapters/storage/port.js';
import { migrationSource } from '../../migrations/index.js';
import { createTestDatabase } from '../support/services.js';

// Issue 20 point 8: a client registered without an ID-token algorithm now gets RS256 (it was ES256).
// Institutions already in service verify ES256: migration 009 writes ES256 into every client stored
// before it that had no algorithm of its own, and leaves explicit choices alone.

describe('migration 009: existing institutions keep the ID-token algorithm they were set up with', () => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Empty, not the run's migrated template: the test migrates up to 009 itself.
    const pg = process.env.DATABASE_URL ? await createTestDatabase({ empty: true }) : undefined;
    drop = pg?.drop;
    db = await openDatabase({ databaseUrl: pg?.url, dataDir: ':memory:', snapshot: pg ? undefined : process.env.KAPI_TEST_EMBEDDED_EMPTY_SNAPSHOT });
    // Up to the migration before 009, as a running deployment is.
    for (;;) {
      const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], { name?: string }[] | string[]];
      const next = pending[0];
      const nextName = typeof next === 'string' ? next : next?.name;
      if (!nextName || nextName === '009_pin_id_token_alg') break;
      await db.migrate.up({ migrationSource });
    }
  });
  afterAll(async () => {
    await closeDatabase(db);
    await drop?.();
  });

  it('pins ES256 on clients without an algorithm, keeps PS256 and RS256 choices, and new clients are untouched', async () => {
    await db('clients').insert([
      { client_id: 'old-default', metadata: JSON.stringify({ client_id: 'old-default', scope: 'openid' }) },
      { client_id: 'old-fapi', metadata: JSON.stringify({ client_id: 'old-fapi', id_token_signed_response_alg: 'PS256' }) },
      { client_id: 'old-rs', metadata: JSON.stringify({ client_id: 'old-rs', id_token_signed_response_alg: 'RS256' }) },
    ]);
    await migrateLatest(db);
    const alg = async (id: string) =>
      ((await db('clients').where({ client_id: id }).first()) as { metadata: Record<string, unknown> }).metadata.id_token_signed_response_alg;
    expect(await alg('old-default')).toBe('ES256');
    expect(((await db('clients').where({ client_id: 'old-default' }).first()) as { metadata: Record<string, unknown> }).metadata.scope).toBe('openid');
    expect(await alg('old-fapi')).toBe('PS256');
    expect(await alg('old-rs')).toBe('RS256');
    await db('clients').insert({ client_id: 'new', metadata: JSON.stringify({ client_id: 'new' }) });
    await migrateLatest(db); // already applied: nothing runs again
    expect(await alg('new')).toBeUndefined();
  });
});
