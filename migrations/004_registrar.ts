import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '004_registrar';

/**
 * Office issuance (PTT branches, Türksat cable offices, consulates): the offices, the staff allowed to
 * act for one of them, the OIDC clients that may call the registrar API, and the record of every
 * password handed out or cancelled at a counter. The password itself is never here: it lives only as an
 * argon2id hash in password_credentials.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registrar_offices', (t) => {
    t.string('code', 32).primary(); // e.g. PTT-ANK-KIZILAY
    t.string('name', 200).notNullable();
    t.string('kind', 16).notNullable(); // ptt | turksat | consulate
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // A registrar is a Kapı account with this role for exactly one office.
  await knex.schema.createTable('registrar_roles', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.string('office_code', 32).notNullable().references('registrar_offices.code');
    t.string('granted_by', 128).notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['office_code']);
  });

  // OIDC clients whose access tokens the registrar API accepts (the registrar console).
  await knex.schema.createTable('registrar_console_clients', (t) => {
    t.string('client_id').primary();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('registrar_issuances', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('office_code', 32).notNullable().references('registrar_offices.code');
    t.uuid('staff_account_id').notNullable();
    t.string('staff_via', 8).notNullable(); // api | cli
    t.string('channel', 8).notNullable(); // self | proxy | guardian
    t.jsonb('documents').notNullable(); // [{ type, number }] presented for the person
    t.string('representative_national_id', 11); // proxy or guardian
    t.string('representative_name', 200);
    t.jsonb('representative_document'); // { type, number }
    t.string('authority_type', 24); // power_of_attorney | court_decision
    t.string('authority_number', 64);
    t.date('authority_date');
    t.string('authority_issuer', 200); // the notary or the court
    t.integer('fee_kurus').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'at']);
    t.index(['office_code', 'at']);
  });

  await knex.schema.createTable('registrar_cancellations', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('office_code', 32).notNullable().references('registrar_offices.code');
    t.uuid('staff_account_id').notNullable();
    t.string('staff_via', 8).notNullable();
    t.string('channel', 8).notNullable();
    t.jsonb('documents').notNullable();
    t.string('representative_national_id', 11);
    t.string('representative_name', 200);
    t.jsonb('representative_document');
    t.string('authority_type', 24);
    t.string('authority_number', 64);
    t.date('authority_date');
    t.string('authority_issuer', 200);
    t.integer('sessions_ended').notNullable().defaultTo(0);
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'at']);
    t.index(['office_code', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['registrar_cancellations', 'registrar_issuances', 'registrar_console_clients', 'registrar_roles', 'registrar_offices']) {
    await knex.schema.dropTableIfExists(table);
  }
}
