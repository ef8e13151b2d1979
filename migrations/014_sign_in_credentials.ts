import type { Knex } from 'knex';

// Runs on PostgreSQL 15 and on PGlite (PostgreSQL inside): no features newer than 15. Additive only.
export const name = '014_sign_in_credentials';

/**
 * Which of the person's own credentials a successful sign-in used, as each method names it (a passkey:
 * Kapı's id of the passkey row whose signature was verified): `<method>:<id>` pairs, space-separated. "This
 * wasn't me" on that entry then disowns exactly that credential (issue 21, passkeys). Null for methods that
 * hold no credential of their own in Kapı and for every sign-in before this column.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sign_ins', (t) => {
    t.string('credentials', 200);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sign_ins', (t) => {
    t.dropColumn('credentials');
  });
}
