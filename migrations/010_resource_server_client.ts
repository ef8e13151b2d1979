import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '010_resource_server_client';

/**
 * A resource server (API) names the client it introspects tokens with (DESIGN.md third round,
 * "Introspection"): introspection answers `active` to that client only for tokens whose `aud` is the
 * API. Empty for APIs that verify their JWT access tokens themselves (and Kapı's own registrar API).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('resource_servers', (t) => {
    t.string('client_id').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('resource_servers', (t) => {
    t.dropColumn('client_id');
  });
}
