import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '003_bank_links';

/**
 * Online-banking logins: which bank subject signed in as which account, and when. Nothing else of the
 * bank's is kept (no names, customer numbers, tokens). The bank's `sub` is stored as an HMAC with a key
 * derived from the master key: Kapı only compares it with later answers (a bank that suddenly maps one
 * subject to another person is refused), so it never needs the value itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bank_links', (t) => {
    t.string('bank_id', 40).notNullable();
    t.string('subject_hash', 64).notNullable(); // base64url HMAC-SHA256 of bank id + the bank's sub
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.timestamp('linked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['bank_id', 'subject_hash']);
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('bank_links');
}
