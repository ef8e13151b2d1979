import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '012_pending_contacts';

/**
 * A new phone or e-mail waits beside the verified one until its code is typed (issue 20 point 5): the
 * verified contact keeps serving password resets, the SMS second factor and notifications meanwhile, so a
 * typo never costs the person her reset or her second factor. `*_at`: when it was asked for (shown, and
 * for audits).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.string('pending_phone');
    t.timestamp('pending_phone_at', { useTz: true });
    t.string('pending_email');
    t.timestamp('pending_email_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('pending_email_at');
    t.dropColumn('pending_email');
    t.dropColumn('pending_phone_at');
    t.dropColumn('pending_phone');
  });
}
