import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compiledEntry } from '../../bin/build-state.mjs';
import { findNode22 } from '../../bin/node22.mjs';

// What the commands run (bin/entry.mjs): the build when it is up to date, else the sources with the
// reason; and where the launcher finds Node 22 (bin/node22.mjs), from its cache without asking npx.

let root: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

async function file(relative: string, seconds: number, text = ''): Promise<void> {
  const full = path.join(root, relative);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
  await utimes(full, at(seconds), at(seconds));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'kapi-build-state-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the compiled entry', () => {
  it('is missing before any build', () => {
    expect(compiledEntry(root, 'src/main')).toEqual({ reason: 'not built yet' });
  });

  it('is not used when the build did not finish (no record)', async () => {
    await file('src/main.ts', 0);
    await file('dist/src/main.js', 10);
    expect(compiledEntry(root, 'src/main')).toEqual({ reason: 'the last build did not finish' });
  });

  it('is used when no source changed since the build started', async () => {
    await file('dist/build.json', 10, JSON.stringify({ startedAt: at(5).getTime(), sources: ['src', 'bin/patch.mjs'] }));
    await file('bin/patch.mjs', 5);
    expect(compiledEntry(root, 'src/main')).toEqual({ file: path.join(root, 'dist/src/main.js') });
  });

  it('is not used when a source, in a folder or named alone, changed since', async () => {
    await file('src/cli/x.ts', 6);
    expect(compiledEntry(root, 'src/main')).toEqual({ reason: 'src/cli/x.ts changed since the last build' });
    await file('src/cli/x.ts', 5);
    await file('bin/patch.mjs', 7);
    expect(compiledEntry(root, 'src/main')).toEqual({ reason: 'bin/patch.mjs changed since the last build' });
    await file('bin/patch.mjs', 5);
  });

  it("does not count a change in what the build's tsconfig excludes (a method's tests)", async () => {
    await file('dist/build.json', 10, JSON.stringify({ startedAt: at(5).getTime(), sources: ['src'], exclude: ['src/*/test'] }));
    await file('src/cli/test/x.test.ts', 9);
    expect(compiledEntry(root, 'src/main')).toEqual({ file: path.join(root, 'dist/src/main.js') });
    await file('src/cli/testing.ts', 9);
    expect(compiledEntry(root, 'src/main')).toEqual({ reason: 'src/cli/testing.ts changed since the last build' });
    await file('src/cli/testing.ts', 5);
  });

  it('names an entry the build does not have', () => {
    expect(compiledEntry(root, 'src/other')).toEqual({ reason: 'dist/src/other.js is not in the build' });
  });
});

describe('Node 22 for an older Node', () => {
  it('KAPI_NODE names it outright', () => {
    expect(findNode22({ env: { KAPI_NODE: '/opt/node22/bin/node' }, notice: () => {} })).toBe('/opt/node22/bin/node');
  });

  it('the cached path is used while that file exists, without asking npx (no PATH here)', async () => {
    const cache = path.join(root, 'cache');
    await file('cache/kapi/node22.json', 0, JSON.stringify({ execPath: process.execPath }));
    const notices: string[] = [];
    expect(findNode22({ env: { XDG_CACHE_HOME: cache, PATH: '' }, notice: (line: string) => notices.push(line) })).toBe(process.execPath);
    expect(notices).toEqual([]);
    await file('cache/kapi/node22.json', 0, JSON.stringify({ execPath: path.join(root, 'gone/node') }));
    expect(findNode22({ env: { XDG_CACHE_HOME: cache, PATH: '' }, notice: (line: string) => notices.push(line) })).toBeUndefined();
    expect(notices).toHaveLength(1);
  });
});
