import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '008_session_endings';

/**
 * What ends, ends (issues 19 and 25).
 * - token_revocations: per account and per client, the moment before which every token Kapı issued is
 *   refused by Kapı's own APIs (registrar API, device API), whose JWT access tokens would otherwise live
 *   until they expire.
 * - An index on the account of grants and refresh tokens, so that revoking everything of a person
 *   (password change or reset, office cancellation, sign-out everywhere) does not scan every token.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('token_revocations', (t) => {
    t.string('kind', 16).notNullable(); // 'account' | 'client'
    t.string('subject', 255).notNullable(); // account id or client id
    t.timestamp('revoked_before', { useTz: true }).notNullable();
    t.string('reason', 32).notNullable();
    t.primary(['kind', 'subject']);
  });
  await knex.raw(`create index oidc_models_account_tokens on oidc_models ((payload->>'accountId')) where model in ('Grant', 'RefreshToken')`);
  await knex.raw(`create index oidc_models_client_tokens on oidc_models ((payload->>'clientId')) where model in ('Grant', 'RefreshToken')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists oidc_models_client_tokens');
  await knex.raw('drop index if exists oidc_models_account_tokens');
  await knex.schema.dropTableIfExists('token_revocations');
}
