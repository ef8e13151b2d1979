import type { Knex } from 'knex';
import { log } from '../../src/log.js';

// Kapı behind a highly available Postgres endpoint (Patroni with HAProxy, a managed endpoint; issue 22
// point 2). During a failover a pooled connection may be cut (57P01 and friends, "Connection terminated"),
// or still lead to the old primary, now a standby that refuses writes (25006 read_only_sql_transaction).
//
// What happens then:
// - the connection that failed is marked disposed, and so is every idle one (they lead to the same old
//   server): the pool drops them and opens new connections through the endpoint, to the new primary;
// - the statement is sent once more on a fresh connection when that cannot write anything twice: it
//   ran outside a transaction AND it is a read, or the server refused it without running it (25006);
// - otherwise the error goes up and the request answers 503 (src/web/outage.ts). A statement inside a
//   transaction is never retried alone: the transaction is rolled back whole (Postgres discards an
//   uncommitted transaction when its connection ends), so nothing is half-written.
// A write cut mid-flight outside a transaction is not retried: it may have committed.

const CONNECTION_LOST_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);
const CONNECTION_LOST_MESSAGE = /Connection terminated|Client has encountered a connection error|Connection ended unexpectedly|not queryable/i;

export type FailoverKind = 'read-only' | 'connection-lost';

export function failoverKind(err: unknown): FailoverKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === '25006') return 'read-only';
  if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return 'connection-lost';
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGE.test(message)) return 'connection-lost';
  return undefined;
}

/** A statement that only reads (SELECT or WITH … SELECT without a locking clause, SHOW). */
export function onlyReads(sql: string): boolean {
  const text = sql.trim().toLowerCase();
  if (!/^(select|with|show)\b/.test(text)) return false;
  return !/\b(insert|update|delete|merge|for\s+update|for\s+share|for\s+no\s+key\s+update|for\s+key\s+share|nextval|setval|pg_advisory)/.test(text);
}

export interface PooledConnection {
  __knex__disposed?: unknown;
  __knexTxId?: string;
}

interface KnexClientInternals {
  query(connection: PooledConnection, queryParam: string | { sql: string }): Promise<unknown>;
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<unknown>;
  pool?: { free?: Array<{ resource?: PooledConnection }> } | undefined;
}

/**
 * After an error on a pooled connection: when the error is a failover's, drops the connection and the
 * idle ones from the pool and answers whether the statement may be sent again on a fresh connection.
 * Also used by the token path's fixed statements (fixed-sql.ts), which bypass knex's runner.
 */
export function afterFailoverError(
  pool: { pool?: KnexClientInternals['pool'] },
  connection: PooledConnection,
  err: unknown,
  sql: string,
  inTransaction: boolean,
): boolean {
  const kind = failoverKind(err);
  if (!kind) return false;
  connection.__knex__disposed = err;
  for (const idle of pool.pool?.free ?? []) if (idle.resource) idle.resource.__knex__disposed = err;
  const safe = !inTransaction && (kind === 'read-only' || onlyReads(sql));
  log.warn({ kind, retried: safe, code: (err as { code?: string }).code }, 'Postgres failover: connection dropped from the pool');
  return safe;
}

/** Installs the failover handling on a knex instance of the `pg` client. */
export function handlePostgresFailover(db: Knex): Knex {
  const client = db.client as unknown as KnexClientInternals;
  const query = client.query.bind(client);
  client.query = async (connection, queryParam) => {
    // knex rewrites the query object it is given (placeholders, bindings): a retry sends a pristine copy.
    const pristine = typeof queryParam === 'string' ? queryParam : { ...queryParam };
    try {
      return await query(connection, queryParam);
    } catch (err) {
      const sql = typeof pristine === 'string' ? pristine : pristine.sql;
      if (!afterFailoverError(client, connection, err, sql, Boolean(connection.__knexTxId))) throw err;
      const fresh = await client.acquireConnection();
      try {
        return await query(fresh, typeof pristine === 'string' ? pristine : { ...pristine });
      } catch (again) {
        if (failoverKind(again)) fresh.__knex__disposed = again;
        throw again;
      } finally {
        await client.releaseConnection(fresh);
      }
    }
  };
  return db;
}
