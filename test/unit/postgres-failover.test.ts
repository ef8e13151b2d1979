import { describe, expect, it } from '@jest/globals';
import { failoverKind, onlyReads } from '../../adapters/storage/postgres-failover.js';
import { asOutage } from '../../src/web/outage.js';

// Which Postgres errors a failover causes, and which statements may be sent again after one
// (adapters/storage/postgres-failover.ts). The drill test/drills/postgres-failover.test.ts runs the
// whole path against a real primary, replica and endpoint.

describe('Postgres failover handling', () => {
  it('knows a standby refusing a write, and the ways a connection is lost', () => {
    expect(failoverKind({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' })).toBe('read-only');
    for (const code of ['57P01', '08006', 'ECONNRESET']) expect(failoverKind({ code })).toBe('connection-lost');
    expect(failoverKind(new Error('Connection terminated unexpectedly'))).toBe('connection-lost');
    expect(failoverKind({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBeUndefined();
    expect(failoverKind({ code: '40001' })).toBeUndefined();
  });

  it('sends again only statements that cannot write', () => {
    expect(onlyReads('select * from accounts where id = $1')).toBe(true);
    expect(onlyReads('  WITH x AS (SELECT 1) SELECT * FROM x')).toBe(true);
    expect(onlyReads('select * from accounts where id = $1 for update')).toBe(false);
    expect(onlyReads('with moved as (delete from logout_outbox returning *) select * from moved')).toBe(false);
    expect(onlyReads("select nextval('s')")).toBe(false);
    expect(onlyReads('insert into sign_ins (id) values ($1)')).toBe(false);
    expect(onlyReads('update accounts set x = 1')).toBe(false);
  });

  it('a write refused by a standby answers 503 (temporarily unavailable), not 500', () => {
    expect(asOutage({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' })?.code).toBe('storage_unavailable');
    expect(asOutage(new Error('Command timed out'))?.code).toBe('storage_unavailable');
    expect(asOutage({ name: 'ReplyError', message: "READONLY You can't write against a read only replica." })?.code).toBe('storage_unavailable');
    expect(asOutage({ code: '23505' })).toBeUndefined();
  });
});
