import { setTimeout } from 'node:timers/promises';
import type { Knex } from 'knex';

// Personal-data retention (README: `KAPI_RETENTION_DAYS`, 730 by default): sign-ins, claim releases,
// audit events and the session index are forgotten once older than the period. On a national database
// that is millions of rows a day to purge, and a single `delete ... where at < cutoff` would run for
// minutes, holding the locks of every row it deleted and its own transaction open while each sign-in
// inserts beside it. So the purge runs in bounded batches: each statement deletes at most `batchSize`
// rows found through the table's index on its time column, commits alone (no surrounding transaction),
// and the next one starts only then. Measured in docs/performance.md, "Data growth".

export const RETENTION_BATCH = 1000;
/**
 * After each batch the purge waits as long as the batch took (at most a second): it then uses at most
 * half of what Postgres could give it, and the sign-ins running beside it keep their latency. Measured
 * (docs/performance.md, "Data growth"): without the pause, logins at 80% of their maximum had their p99
 * go from 806 to 2,123 ms on the grown database while 2 million rows were purged in 27 s.
 */
export const RETENTION_PAUSE = 1;

/** What each table keeps: rows whose `column` is older than the period are purged, found by `key`. */
const PERIODS: ReadonlyArray<{ table: string; column: string; key: string }> = [
  { table: 'sign_ins', column: 'at', key: 'id' },
  { table: 'claim_releases', column: 'at', key: 'id' },
  { table: 'audit_events', column: 'at', key: 'id' },
  // A session row is kept while it can still be in use and for the period after it expired.
  { table: 'login_sessions', column: 'expires_at', key: 'uid' },
];

export interface PurgeResult {
  deleted: number;
  batches: number;
}

/**
 * Deletes the rows of `table` whose `column` is before `cutoff`, at most `batchSize` per statement, each
 * statement its own transaction. Returns how many rows and statements it took.
 */
export async function deleteInBatches(
  db: Knex,
  spec: { table: string; column: string; key: string },
  cutoff: Date,
  batchSize = RETENTION_BATCH,
  pause = RETENTION_PAUSE,
): Promise<PurgeResult> {
  const { table, column, key } = spec;
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const started = performance.now();
    // `key = any(array(subquery))`: the batch's keys are read first (through the time column's index),
    // then deleted through the primary key. Written as `key in (subquery)`, the planner may join the
    // subquery to a sequential scan of the whole table.
    // `order by` the time column: the index is walked from the oldest row (a bare `limit` lets the
    // planner choose a sequential scan that stops at the first old rows it meets, which reads the whole
    // table once few are left).
    const result = (await db.raw('delete from ?? where ?? = any(array(select ?? from ?? where ?? < ? order by ?? limit ?)) returning ??', [
      table,
      key,
      key,
      table,
      column,
      cutoff,
      column,
      batchSize,
      key,
    ])) as { rows?: unknown[] } | unknown[];
    // Counted from RETURNING rows: knex-pglite does not report a DELETE's row count as a number.
    const rows = Array.isArray(result) ? result : (result.rows ?? []);
    batches++;
    deleted += rows.length;
    if (rows.length < batchSize) return { deleted, batches };
    if (pause > 0) await setTimeout(Math.min(1000, (performance.now() - started) * pause));
  }
}

/** Tables the personal-data retention purges, by name. */
export const RETAINED_TABLES = PERIODS.map((p) => p.table);

/** One table's purge (`cutoff` computed by the caller). */
export function purgeTable(db: Knex, table: string, cutoff: Date, batchSize = RETENTION_BATCH): Promise<PurgeResult> {
  const spec = PERIODS.find((p) => p.table === table);
  if (!spec) throw new Error(`no retention period for ${table}`);
  return deleteInBatches(db, spec, cutoff, batchSize);
}

/** The personal-data retention: every table of PERIODS, one after the other, in batches. */
export async function purgePersonalData(
  db: Knex,
  options: { retentionDays: number; batchSize?: number; pause?: number; now?: Date; tables?: readonly string[] },
): Promise<Record<string, PurgeResult>> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86400_000);
  const out: Record<string, PurgeResult> = {};
  for (const spec of PERIODS) {
    if (options.tables && !options.tables.includes(spec.table)) continue;
    out[spec.table] = await deleteInBatches(db, spec, cutoff, options.batchSize, options.pause);
  }
  return out;
}
