import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '009_pin_id_token_alg';

/**
 * Institutions registered without an ID-token algorithm now get RS256, OpenID Connect Registration's
 * default (issue 20 point 8); before, they got ES256. An institution already in service was set up to
 * verify ES256, so this keeps ES256 for every client stored before the change by writing it into its
 * metadata; `kapi clients update <id> --no-id-token-alg` moves one to the new default.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('clients')
    .whereRaw("metadata->>'id_token_signed_response_alg' is null")
    .update({ metadata: knex.raw(`metadata || '{"id_token_signed_response_alg":"ES256"}'::jsonb`), updated_at: knex.fn.now() });
}

/** Which clients were pinned is not recorded: they keep ES256 (an explicit choice is as good as the default was). */
export async function down(): Promise<void> {}
