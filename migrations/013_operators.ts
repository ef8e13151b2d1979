import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '013_operators';

/**
 * The operator console (issue 23 point 2):
 *  - operator_roles: who may run Kapı, as `administrator` (changes) or `auditor` (reads only); the first
 *    administrator is made with `kapi operators grant`;
 *  - operator_audit: every operator action, from the console or the `kapi` command, with who did it and
 *    when. Kept apart from audit_events, which the personal-data retention purges: these rows are the
 *    record of who approved which claims for which institution;
 *  - clients.suspended_at: a suspended institution is unknown to oidc-provider (no sign-in, no token)
 *    until it is resumed; the row and its settings stay.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operator_roles', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.string('role', 16).notNullable();
    t.string('granted_by', 128).notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table operator_roles add constraint operator_roles_role check (role in ('administrator', 'auditor'))`);
  await knex.schema.createTable('operator_audit', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('action', 64).notNullable();
    // The operator's account when the console did it; null from the command line (actor names the user).
    t.uuid('operator_account_id');
    t.string('actor', 160).notNullable();
    t.string('via', 16).notNullable();
    t.string('client_id');
    t.string('target', 160);
    t.jsonb('detail');
    t.string('ip', 64);
    t.index(['at']);
    t.index(['client_id', 'at']);
  });
  await knex.schema.alterTable('clients', (t) => {
    t.timestamp('suspended_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('suspended_at');
  });
  await knex.schema.dropTableIfExists('operator_audit');
  await knex.schema.dropTableIfExists('operator_roles');
}
