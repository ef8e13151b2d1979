import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '015_growth_indexes';

/**
 * Indexes for a nation's worth of history (issue 24 point 1; `npm run bench` fails on a sequential scan
 * of a table over 10,000 rows, docs/performance.md "Data growth"):
 * - sign_ins (account_id, id): the history page reads a person's newest sign-ins by id (keyset pages).
 *   With only (account_id, at) the planner may walk the whole table backwards by id for a person whose
 *   rows are few, or sort every row of one who has many.
 * - claim_releases (account_id, client_id, id): "what this institution received lately" on the
 *   institutions page, newest first, without reading the person's other institutions.
 * - claim_releases (at): the retention purge finds rows older than the period (sign_ins and
 *   audit_events have theirs since 001).
 * On Postgres they are built CONCURRENTLY (the tables take every sign-in's writes: a plain build would
 * hold them back for the minutes it takes on millions of rows), so this migration runs outside a
 * transaction. A concurrent build cut short leaves an invalid index behind: a retry drops it and builds
 * it again (`if not exists` alone would keep it, unused).
 */
export const config = { transaction: false };

const INDEXES = [
  ['sign_ins_account_id_id_index', 'sign_ins (account_id, id)'],
  ['claim_releases_account_client_id_index', 'claim_releases (account_id, client_id, id)'],
  ['claim_releases_at_index', 'claim_releases (at)'],
] as const;

const onPostgres = (knex: Knex) => (knex.client as { config?: { client?: unknown } }).config?.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  const pg = onPostgres(knex);
  for (const [index, on] of INDEXES) {
    if (pg) {
      const invalid = await knex.raw('select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = ? and not i.indisvalid', [index]);
      if ((invalid as { rows: unknown[] }).rows.length) await knex.raw(`drop index concurrently if exists ${index}`);
    }
    await knex.raw(`create index ${pg ? 'concurrently ' : ''}if not exists ${index} on ${on}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [index] of INDEXES) await knex.raw(`drop index if exists ${index}`);
}
