import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = 'passkey_001_credentials';

/**
 * Passkeys (issue 21 point 5): one row per WebAuthn credential. The public key is public (COSE, base64url);
 * the user handle is a random id per account (never the identity number: the authenticator keeps it and
 * may show or sync it); the counter is kept for the clone check; device type and backed-up flag say
 * whether the key is synced (amr `swk`) or bound to its authenticator (`hwk`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('passkey_credentials', (t) => {
    t.uuid('id').primary();
    t.text('credential_id').notNullable().unique();
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('user_handle', 64).notNullable();
    t.text('public_key').notNullable();
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.text('transports').nullable();
    t.string('device_type', 16).notNullable();
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.string('name', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('passkey_credentials');
}
