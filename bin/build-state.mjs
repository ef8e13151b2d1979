// Whether the compiled JavaScript in dist/ can stand in for the TypeScript sources. `npm run build`
// (bin/build.mjs) writes dist/build.json when it succeeds: when it started and which sources it read.
// A source file changed after that start means dist/ is out of date (a `git pull`, an edit): then the
// commands run the sources with tsx instead, and say why. The check stats each source file (a few
// hundred, a few milliseconds); an installed package's files all carry npm's fixed date, never newer.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const BUILD_DIR = 'dist';
export const BUILD_RECORD = 'build.json';

// tsconfig's exclude patterns (interactions/<method>/test, written with a star) as one test of a path from the root.
function excluder(patterns) {
  const literal = (text) => text.replace(/[.+?^$(){}|[\]\\]/g, '\\$&');
  const res = patterns.map((p) => new RegExp(`^${literal(p).replace(/\*/g, '[^/]*')}(/|$)`));
  return (relative) => res.some((re) => re.test(relative));
}

/** The first of `sources` (files or folders, from `root`; not `excluded`) changed after `since`, if any. */
function changedSince(root, sources, since, excluded = () => false) {
  for (const source of sources) {
    const full = path.join(root, source);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      continue; // a source that is gone cannot be newer than the build
    }
    if (stat.isFile()) {
      if (stat.mtimeMs > since) return source;
      continue;
    }
    for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|json|mjs)$/.test(entry.name)) continue;
      const file = path.join(entry.parentPath, entry.name);
      const relative = path.relative(root, file).split(path.sep).join('/');
      if (!excluded(relative) && statSync(file).mtimeMs > since) return relative;
    }
  }
  return undefined;
}

/**
 * The compiled file of a TypeScript entry (`src/cli/main` → dist/src/cli/main.js), or why the
 * sources must run instead: no build, a build whose record is missing (it failed), or a change since.
 */
export function compiledEntry(root, entry) {
  const file = path.join(root, BUILD_DIR, `${entry}.js`);
  let record;
  try {
    record = JSON.parse(readFileSync(path.join(root, BUILD_DIR, BUILD_RECORD), 'utf8'));
  } catch {
    return { reason: existsSync(path.join(root, BUILD_DIR)) ? 'the last build did not finish' : 'not built yet' };
  }
  if (!existsSync(file)) return { reason: `${path.relative(root, file)} is not in the build` };
  const changed = changedSince(root, record.sources ?? [], record.startedAt ?? 0, excluder(record.exclude ?? []));
  if (changed) return { reason: `${changed} changed since the last build` };
  return { file };
}
