import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside). Additive only.
export const name = '016_retired_client_ids';

/**
 * The client ids of removed institutions, never registered again (src/clients/client-service.ts):
 * remembered consents, grants in people's sessions, refresh tokens and a resource server's binding all
 * name an institution by its client id, and a new registration under a removed id would inherit them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retired_client_ids', (t) => {
    t.string('client_id', 255).primary();
    t.timestamp('retired_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('retired_client_ids');
}
