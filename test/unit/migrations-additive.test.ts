import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Expand/contract (issue 22 point 2, docs/architecture.md "Migrations: expand, then contract"): during
// a rolling deployment the previous release runs against the new schema, so a migration's `up` only
// adds: tables, nullable columns or columns with a default, indexes, constraints the old code already
// satisfies. It never drops or renames a table or a column, changes a column's type, or makes a
// column NOT NULL. A contract step (dropping what no release reads any more) is allowed only when the
// migration says so: `export const contract = 'v0.x.y: …'` naming the first release that no longer
// reads what it drops; it ships at least one release after that one. `down` is free (it is for
// development, never for a rolling deployment).

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every migration, the core's and each method module's; those written before the rule (001–012) keep it too. */
function migrationFiles(): string[] {
  const dirs = [path.join(ROOT, 'migrations'), ...readdirSync(path.join(ROOT, 'interactions')).map((m) => path.join(ROOT, 'interactions', m, 'migrations'))];
  return dirs
    .filter((d) => existsSync(d))
    .flatMap((d) =>
      readdirSync(d)
        .filter((f) => /^\d{3}_.*\.ts$/.test(f))
        .map((f) => path.join(d, f)),
    );
}

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\.(dropColumns?|dropTable|dropTableIfExists|renameColumn|renameTable|dropNullable)\s*\(/, 'drops, renames or tightens'],
  [/\.alter\s*\(/, 'alters a column (type or nullability)'],
  [/\bDROP\s+(TABLE|COLUMN)\b/i, 'drops (raw SQL)'],
  [/\bRENAME\s+(TO|COLUMN)\b/i, 'renames (raw SQL)'],
  [/\bALTER\s+COLUMN\s+\S+\s+(TYPE|SET\s+NOT\s+NULL|SET\s+DATA\s+TYPE)\b/i, 'changes a column (raw SQL)'],
];

/** What breaks the rule in one migration's source (empty: additive, or a declared contract step). */
function nonAdditive(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const contract = /export\s+const\s+contract\s*=\s*['"`](v\d+\.\d+\.\d+[^'"`]*)['"`]/.exec(code);
  const up = /export\s+async\s+function\s+up\b([\s\S]*?)(export\s+async\s+function\s+down\b|$)/.exec(code)?.[1] ?? '';
  const problems: string[] = [];
  for (const [pattern, what] of FORBIDDEN) if (pattern.test(up)) problems.push(what);
  // A NOT NULL column added to an existing table without a default: the old release's inserts fail.
  for (const block of up.matchAll(/alterTable\s*\([^,]+,\s*\([^)]*\)\s*=>\s*\{([\s\S]*?)\}\s*\)/g)) {
    for (const line of block[1]!.split(/;\s*/)) {
      if (/\.notNullable\(\)/.test(line) && !/\.defaultTo\(/.test(line) && !/\.(primary|index|unique|foreign)\(/.test(line))
        problems.push('adds a NOT NULL column without a default');
    }
  }
  return contract ? [] : problems;
}

describe('migrations are additive (expand/contract)', () => {
  it.each(migrationFiles().map((f) => [path.relative(ROOT, f), f]))('%s only expands the schema in up()', (_name, file) => {
    expect(nonAdditive(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('finds the core migrations (eleven up to 012)', () => {
    expect(migrationFiles().filter((f) => f.includes(`${path.sep}migrations${path.sep}`)).length).toBeGreaterThanOrEqual(11);
  });

  it('refuses drops, renames, type changes and NOT NULL without default; accepts a declared contract step', () => {
    const up = (body: string, extra = '') =>
      `${extra}\nexport async function up(knex) {\n${body}\n}\nexport async function down(knex) { await knex.schema.dropTable('x'); }`;
    expect(
      nonAdditive(
        up("await knex.schema.alterTable('accounts', (t) => { t.string('nickname'); t.timestamp('seen_at').defaultTo(knex.fn.now()).notNullable(); });"),
      ),
    ).toEqual([]);
    expect(nonAdditive(up("await knex.schema.createTable('x', (t) => { t.uuid('id').primary(); t.string('name').notNullable(); });"))).toEqual([]);
    expect(nonAdditive(up("await knex.schema.alterTable('accounts', (t) => { t.dropColumn('phone'); });"))).toEqual(['drops, renames or tightens']);
    expect(nonAdditive(up("await knex.schema.alterTable('accounts', (t) => { t.renameColumn('phone', 'mobile'); });"))).toEqual(['drops, renames or tightens']);
    expect(nonAdditive(up("await knex.schema.dropTableIfExists('bank_links');"))).toEqual(['drops, renames or tightens']);
    expect(nonAdditive(up("await knex.schema.alterTable('accounts', (t) => { t.text('phone').alter(); });"))).toEqual([
      'alters a column (type or nullability)',
    ]);
    expect(nonAdditive(up("await knex.raw('ALTER TABLE accounts DROP COLUMN phone');"))).toEqual(['drops (raw SQL)']);
    expect(nonAdditive(up("await knex.raw('alter table accounts rename column phone to mobile');"))).toEqual(['renames (raw SQL)']);
    expect(nonAdditive(up("await knex.raw('ALTER TABLE accounts ALTER COLUMN phone SET NOT NULL');"))).toEqual(['changes a column (raw SQL)']);
    expect(nonAdditive(up("await knex.schema.alterTable('accounts', (t) => { t.string('kind').notNullable(); });"))).toEqual([
      'adds a NOT NULL column without a default',
    ]);
    expect(
      nonAdditive(
        up(
          "await knex.schema.alterTable('accounts', (t) => { t.dropColumn('phone'); });",
          "export const contract = 'v0.3.0: no release from v0.3.0 on reads accounts.phone';",
        ),
      ),
    ).toEqual([]);
    expect(nonAdditive(up("await knex.schema.alterTable('accounts', (t) => { t.dropColumn('phone'); });", "export const contract = 'later';"))).toEqual([
      'drops, renames or tightens',
    ]);
  });
});
