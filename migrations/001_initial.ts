import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '001_initial';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary();
    t.string('national_id', 11).notNullable().unique();
    t.string('national_id_type', 16).notNullable(); // citizen | blue_card | foreigner
    t.string('given_name').notNullable();
    t.string('family_name').notNullable();
    t.date('birthdate');
    t.string('email');
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.string('phone');
    t.boolean('phone_verified').notNullable().defaultTo(false);
    t.jsonb('address');
    t.boolean('password_login_enabled').notNullable().defaultTo(true);
    t.boolean('bank_login_enabled').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('password_credentials', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.text('hash').notNullable(); // argon2id PHC string
    t.boolean('must_change').notNullable().defaultTo(false); // office-issued one-time password
    t.string('origin', 16).notNullable(); // office | self | reset
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('clients', (t) => {
    t.string('client_id').primary();
    t.jsonb('metadata').notNullable(); // client_secret inside is sealed with the master key
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Resource servers (APIs) an access token can be issued for (resource indicators, RFC 8707).
  await knex.schema.createTable('resource_servers', (t) => {
    t.string('identifier', 512).primary(); // the resource indicator, an absolute URI
    t.string('name').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.string('token_format', 8).notNullable().defaultTo('jwt'); // jwt (RFC 9068) | opaque
    t.integer('access_token_ttl').notNullable().defaultTo(600);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Long-lived oidc-provider models (Grant, RefreshToken). Ids (and grant ids) are stored as SHA-256 hashes.
  await knex.schema.createTable('oidc_models', (t) => {
    t.string('model', 48).notNullable();
    t.string('id', 128).notNullable();
    t.jsonb('payload').notNullable();
    t.string('grant_id', 128); // sha256 of the grant id, for the models that belong to a grant
    t.string('uid', 128); // sha256 of the session uid
    t.string('user_code', 128); // sha256 of the device flow's user code
    // The raw id encrypted under a key derived from the uid / user code, so findByUid and
    // findByUserCode can return the jti without the table holding it (adapters/storage/oidc-common.ts).
    t.text('uid_box');
    t.text('user_code_box');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['model', 'uid']);
    t.index(['model', 'user_code']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 8).notNullable();
    t.text('private_jwk').notNullable(); // sealed with the master key
    t.jsonb('public_jwk').notNullable();
    t.string('state', 12).notNullable(); // next | active | retiring | retired
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('retiring_at', { useTz: true });
    t.timestamp('retire_after', { useTz: true });
  });

  // Consent decisions per institution, remembered across sessions.
  await knex.schema.createTable('consents', (t) => {
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('client_id').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.specificType('claims', 'text[]').notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['account_id', 'client_id']);
  });

  // Every sign-in attempt (successful or not): feeds the citizen's login history.
  await knex.schema.createTable('sign_ins', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('account_id');
    t.string('subject_hash', 64); // hash of the typed identity number when no account matched
    t.string('client_id');
    t.string('method', 32).notNullable();
    t.string('acr', 16);
    t.string('result', 32).notNullable();
    t.string('ip', 64);
    t.string('user_agent', 512);
    t.index(['account_id', 'at']);
    t.index(['at']);
  });

  // Every release of claims to an institution.
  await knex.schema.createTable('claim_releases', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('account_id').notNullable();
    t.string('client_id').notNullable();
    t.specificType('claims', 'text[]').notNullable();
    t.string('channel', 16).notNullable(); // id_token | userinfo | introspection
    t.index(['account_id', 'at']);
  });

  // Audit trail of changes and security events.
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('type', 64).notNullable();
    t.uuid('account_id');
    t.string('client_id');
    t.string('actor', 128);
    t.string('ip', 64);
    t.jsonb('detail');
    t.index(['account_id', 'at']);
    t.index(['at']);
  });

  // Back-channel logout deliveries that failed, retried by a worker until they succeed or give up.
  await knex.schema.createTable('logout_outbox', (t) => {
    t.bigIncrements('id');
    t.string('client_id').notNullable();
    t.string('account_id').notNullable();
    t.string('sid', 128);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('abandoned_at', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'logout_outbox',
    'audit_events',
    'claim_releases',
    'sign_ins',
    'consents',
    'signing_keys',
    'oidc_models',
    'resource_servers',
    'clients',
    'password_credentials',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
