import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '002_login_sessions';

/**
 * An index of Kapı's own sign-in sessions (oidc-provider keeps them in Redis by their cookie id):
 * which account, which methods proved it, from where. It lets a person see where they are signed in
 * and end those sessions, and lets Kapı end the sessions a security change invalidates (a cancelled
 * password ends the sessions it started).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_sessions', (t) => {
    t.string('uid', 64).primary(); // oidc-provider's session uid (stable across cookie rotation), not a bearer secret
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.specificType('methods', 'text[]').notNullable(); // method ids that proved the person, in order
    t.string('acr', 16).notNullable();
    t.specificType('amr', 'text[]').notNullable();
    t.timestamp('signed_in_at', { useTz: true }).notNullable(); // the latest completed sign-in of this session
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable(); // absolute lifetime of its level
    t.string('ip', 64);
    t.string('user_agent', 512);
    t.timestamp('ended_at', { useTz: true });
    t.string('end_reason', 32);
    t.index(['account_id', 'ended_at']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_sessions');
}
