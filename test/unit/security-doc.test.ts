import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// docs/security.md maps each protection to the test that fails without it. A row that names no test,
// or names one that does not exist (renamed, deleted), is a claim nobody checks: it fails here.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.ts') ? [path.relative(ROOT, full)] : [];
  });
}

interface Row {
  section: string;
  row: string;
  /** Test files (paths or suite names) the section named before this row: in its text or earlier rows. */
  context: string[];
}

// A test under test/, or one of a method's own under interactions/<method>/test/.
const PATH = /(?:interactions\/[\w-]+\/)?test\/[\w./-]+?\.(test\.)?ts/g;

/** The rows of the tables with a test column (figures tables have none), with what their section named. */
function protectionRows(markdown: string, suiteNames: Set<string>): Row[] {
  const rows: Row[] = [];
  let section = '';
  let context: string[] = [];
  let table: 'none' | 'tests' | 'figures' = 'none';
  const references = (text: string) => [
    ...[...text.matchAll(PATH)].map((m) => m[0]),
    ...[...text.matchAll(/([\w-]+) ›/g), ...text.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!).filter((n) => suiteNames.has(n)),
  ];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) {
      section = line.replace(/^#+\s*/, '');
      context = [];
    }
    if (!line.startsWith('|')) {
      table = 'none';
      context.push(...references(line));
      continue;
    }
    if (table === 'none') {
      table = /test|file/i.test(line) ? 'tests' : 'figures'; // the header row
      continue;
    }
    if (/^\|[\s|:-]+\|$/.test(line) || table === 'figures') continue;
    rows.push({ section, row: line, context: [...context] });
    context.push(...references(line));
  }
  return rows;
}

describe('docs/security.md', () => {
  const methodTests = readdirSync(path.join(ROOT, 'interactions'))
    .map((method) => path.join(ROOT, 'interactions', method, 'test'))
    .filter((dir) => existsSync(dir));
  const files = [path.join(ROOT, 'test'), ...methodTests].flatMap(testFiles);
  const byName = new Set(files.map((f) => path.basename(f, '.test.ts')));
  const rows = protectionRows(readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8'), byName);

  it('has protection rows to check', () => {
    expect(rows.length).toBeGreaterThan(50);
  });

  it('every test file a row names exists', () => {
    const missing = rows.flatMap(({ section, row }) =>
      [...row.matchAll(PATH)]
        .map((m) => m[0])
        .filter((f) => !existsSync(path.join(ROOT, f)))
        .map((f) => `${section}: ${f}`),
    );
    expect(missing).toEqual([]);
  });

  it('every protection row names the test that proves it (a file, a suite by name: "brute-force › …", or "same" / "› …" after the section named one)', () => {
    const unnamed = rows.filter(({ row, context }) => {
      const own = [...row.matchAll(PATH)].length > 0 || [...row.matchAll(/([\w-]+) ›/g), ...row.matchAll(/`([\w-]+)`/g)].some((m) => byName.has(m[1]!));
      const continued = /\|\s*(same\b|›|every case above)/.test(row) && context.length > 0;
      return !own && !continued;
    });
    expect(unnamed.map(({ section, row }) => `${section}: ${row.slice(0, 140)}`)).toEqual([]);
  });
});
