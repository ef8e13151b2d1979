import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '011_registrar_idempotency';

/**
 * One counter request, one issuance (issue 19 point 5): the Idempotency-Key of every issuance and
 * cancellation, per registrar (IETF httpapi idempotency-key draft). The row is written in the same
 * transaction as the record it names, so a key exists only for work that was done. It holds what the
 * first answer said, never a secret: the one-time password is not here (it is shown once).
 * - fingerprint: SHA-256 of the operation and the request, to tell a replay from a key reused for
 *   another request (422).
 * - attempt_id: the in-memory attempt (one API request, or one CLI command with its own retries) that
 *   did the work; only that attempt may show the password again.
 * - finished / finish_lease_until: the steps after the commit (ending the person's sessions); a replay
 *   of a request cut off before them finishes them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registrar_idempotency_keys', (t) => {
    t.uuid('staff_account_id').notNullable();
    t.string('idempotency_key', 255).notNullable();
    t.string('operation', 16).notNullable(); // issue | cancel
    t.string('fingerprint', 64).notNullable();
    t.uuid('attempt_id').notNullable();
    t.uuid('record_id');
    t.jsonb('outcome');
    t.boolean('finished').notNullable().defaultTo(false);
    t.timestamp('finish_lease_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['staff_account_id', 'idempotency_key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('registrar_idempotency_keys');
}
