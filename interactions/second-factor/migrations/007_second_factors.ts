import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '007_second_factors';

/**
 * Second factors (issue 7): the account's two-factor setting, the e-Government Key (TOTP) and the
 * registered devices of the mobile app.
 * - The TOTP secret is sealed with the master key (Sealer, the account id as associated data); the last
 *   accepted time step is kept so a code is accepted once, even inside its window.
 * - A device is its public key (P-256 JWK) and its push token (sealed: a push token lets anyone who
 *   holds it send notifications to the phone).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.boolean('two_factor_enabled').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('totp_credentials', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.text('secret_sealed').notNullable();
    t.boolean('active').notNullable().defaultTo(false);
    t.bigInteger('last_time_step').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true }).nullable();
  });

  await knex.schema.createTable('registered_devices', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.text('public_jwk').notNullable();
    t.string('jkt', 64).notNullable().unique();
    t.text('push_token_sealed').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('registered_devices');
  await knex.schema.dropTableIfExists('totp_credentials');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('two_factor_enabled');
  });
}
