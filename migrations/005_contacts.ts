import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15.
export const name = '005_contacts';

/**
 * Contact options (issue 3):
 * - phone_verified_acr: the level (acr) of the session in which the phone was verified. DESIGN.md:
 *   a phone serves as the SMS second factor only when verified at `substantial` or higher (or taken
 *   from the registry, recorded as `registry`), so that a stolen password alone cannot add the phone
 *   that then confirms it. Phones verified before this column existed stay NULL: unknown, not enough.
 * - phone_verified_at / email_verified_at: when (shown to the person, and for audits).
 * - password_reset_method: what "Forgot my password" sends codes to, as the person chose it:
 *   'phone' (the verified mobile phone) or 'phone_and_email' (both, both needed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.string('phone_verified_acr', 16);
    t.timestamp('phone_verified_at', { useTz: true });
    t.timestamp('email_verified_at', { useTz: true });
    t.string('password_reset_method', 16).notNullable().defaultTo('phone');
  });
  await knex.raw(`alter table accounts add constraint accounts_password_reset_method_check check (password_reset_method in ('phone', 'phone_and_email'))`);
  await knex.raw(
    `alter table accounts add constraint accounts_phone_verified_acr_check check (phone_verified_acr is null or phone_verified_acr in ('low', 'substantial', 'high', 'registry'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table accounts drop constraint if exists accounts_phone_verified_acr_check');
  await knex.raw('alter table accounts drop constraint if exists accounts_password_reset_method_check');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('password_reset_method');
    t.dropColumn('email_verified_at');
    t.dropColumn('phone_verified_at');
    t.dropColumn('phone_verified_acr');
  });
}
