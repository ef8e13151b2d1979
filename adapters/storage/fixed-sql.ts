import type { Database } from './port.js';
import { type PgLiteInstance, runPrepared } from './pglite-statement.js';
import { afterFailoverError, failoverKind, type PooledConnection } from './postgres-failover.js';

// Statements of the token path, sent with as little machinery as possible (issue 8). Per statement,
// knex's runner (binding positions, events, response shaping, promise layers) cost a visible share of a
// refresh grant's CPU. On node-postgres each statement goes straight to a connection of knex's own pool,
// so the pool's limits, timeouts (KnexTimeoutError) and broken-connection checks still apply. On PGlite
// (the embedded default) it goes to PGlite's one connection once knex's pool has handed it over (a
// transaction may be holding it, and only knex knows when it is free), as a named prepared statement
// (pglite-statement.ts): parsed once, then one call into the WebAssembly per run instead of six.
//
// Not named (prepared) statements on node-postgres, on purpose: after five runs Postgres may switch a
// prepared statement to a generic plan, and on oidc_models, whose statistics lag behind a table that grows
// fast, that plan scanned the (model, user_code) index instead of the primary key: each grant got slower
// as the table grew (measured, issue 8). An unnamed statement is planned with its values every time. PGlite
// runs with plan_cache_mode = force_custom_plan (database.ts), so its prepared statements are planned with
// their values every time too.

export interface FixedStatement {
  /** For reading and profiles only. */
  readonly name: string;
  /** With `?` placeholders (knex). */
  readonly knexText: string;
  /** With `$1..$n` placeholders (node-postgres). */
  readonly pgText: string;
}

/** A statement whose text never changes; `text` uses `?` placeholders and no other `?`. */
export function fixedStatement(name: string, text: string): FixedStatement {
  let n = 0;
  return { name: `kapi_${name}`, knexText: text, pgText: text.replace(/\?/g, () => `$${++n}`) };
}

async function runOnPgLite<T>(client: PooledClient, statement: FixedStatement, values: unknown[]): Promise<T[]> {
  const connection = (await client.acquireConnection()) as unknown as PgLiteInstance & PgConnection;
  try {
    return await runPrepared<T>(connection, statement.pgText, values);
  } finally {
    await client.releaseConnection(connection);
  }
}

interface PgConnection {
  query(config: { text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface PooledClient {
  config: { client?: unknown };
  pool?: { free?: Array<{ resource?: PooledConnection }> } | undefined;
  acquireConnection(): Promise<PgConnection & PooledConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** Runs the statement and answers its rows. `db` may be a transaction: then it runs inside it. */
export async function runFixed<T>(db: Database, statement: FixedStatement, values: unknown[]): Promise<T[]> {
  const client = db.client as unknown as PooledClient;
  if ((db as { isTransaction?: boolean }).isTransaction) {
    return ((await db.raw(statement.knexText, values as never)) as { rows?: T[] }).rows ?? [];
  }
  if (client.config.client !== 'pg') return runOnPgLite<T>(client, statement, values);
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ text: statement.pgText, values })).rows as T[];
  } catch (err) {
    // A failover behind the endpoint (postgres-failover.ts): the connection leaves the pool; a read, or a
    // write the standby refused, goes once more on a fresh connection.
    if (!afterFailoverError(client, connection, err, statement.pgText, false)) throw err;
  } finally {
    await client.releaseConnection(connection);
  }
  const fresh = await client.acquireConnection();
  try {
    return (await fresh.query({ text: statement.pgText, values })).rows as T[];
  } catch (again) {
    if (failoverKind(again)) fresh.__knex__disposed = again;
    throw again;
  } finally {
    await client.releaseConnection(fresh);
  }
}
