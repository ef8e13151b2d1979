import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The import rules of the method modules (issue 21 points 2 and 4; DESIGN.md "Method modules"), checked
// on the source as CI runs it: the engine runs steps and never imports web code; a method imports the
// engine and ports, never another method; a method's storage sits behind ports, so no method file
// imports knex or ioredis (its migrations, schema for knex run by the core's migrator, excepted).
// Type-only imports count: a type from the web layer in the engine is a dependency all the same.
// A method's own tests (interactions/<method>/test/) are not its code: they start Kapı whole, with the
// module list and other methods (a passkey sign-in followed by an SMS code), so the method rules skip them.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Every module a file names: static imports and re-exports, side-effect imports, dynamic import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;}])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/g)) found.add(m[1]!);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) found.add(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(m[1]!);
  return [...found];
}

/** A relative specifier as a repository path; a package name as itself. */
function resolved(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
const moduleOf = (file: string) => /^interactions\/([^/]+)\//.exec(file)?.[1];
const isMethodTest = (file: string) => /^interactions\/[^/]+\/test\//.test(file);
/** The methods' code: every file of interactions/ but their tests. */
const methodSources = () => sources('interactions').filter((f) => !isMethodTest(f));

function violations(files: string[], rule: (file: string, target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((s) => rule(file, resolved(file, s)))
      .map((s) => `${file} → ${s}`),
  );
}

describe('import rules (CI)', () => {
  it('finds the sources it checks, and sees every kind of import', () => {
    expect(sources('src/engine').length).toBeGreaterThan(3);
    expect(sources('interactions').length).toBeGreaterThan(20);
    const sample = importsOf('test/unit/import-rules.test.ts');
    expect(sample).toEqual(expect.arrayContaining(['@jest/globals', 'node:fs', 'node:path', 'node:url']));
  });

  it('the engine never imports web code', () => {
    expect(violations(sources('src/engine'), (_file, target) => target.startsWith('src/web/'))).toEqual([]);
  });

  it('a method never imports another method', () => {
    const files = methodSources().filter((f) => moduleOf(f));
    // The module list (interactions/index.ts) counts as another method: it imports them all.
    expect(violations(files, (file, target) => target.startsWith('interactions/') && moduleOf(target) !== moduleOf(file))).toEqual([]);
  });

  it('no method imports knex or ioredis (its migrations excepted)', () => {
    const files = methodSources().filter((f) => !/^interactions\/[^/]+\/migrations\//.test(f));
    expect(violations(files, (_file, target) => ['knex', 'ioredis'].includes(packageOf(target)))).toEqual([]);
  });

  it("the registrar's logic imports no knex or ioredis: its storage is the port in src/registrar/repository.ts", () => {
    const files = sources('src/registrar');
    expect(files.length).toBeGreaterThan(10);
    expect(violations(files, (_file, target) => ['knex', 'ioredis'].includes(packageOf(target)))).toEqual([]);
  });
});
