#!/usr/bin/env node
// `npm run build`, and npm's "prepare" on `npm install` in a checkout: compiles the TypeScript that the
// server and the commands run (tsconfig.build.json: src, adapters, interactions, keys, migrations) into
// dist/, mirroring the tree (dist/src/main.js, dist/src/cli/main.js, …). dist/ holds code only: views,
// static files and word lists are read from the tree itself (src/runtime/package-root.ts). The one
// JavaScript file the compiled code imports from outside those trees is copied beside it. Last,
// dist/build.json records the start time and the sources (bin/build-state.mjs reads it): written
// only after a clean compile, so a failed build leaves the commands on the sources.
//
// --if-possible (prepare): without the sources or TypeScript (`npm ci --omit=dev`), or when the compile fails, say so
// and succeed: the install must not fail for it, and the commands then run the sources with tsx.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, BUILD_RECORD } from './build-state.mjs';

const COPIED = ['bin/patch-dependencies.mjs'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ifPossible = process.argv.includes('--if-possible');
const give = (message) => {
  process.stderr.write(`kapı build: ${message}\n`);
  process.exit(ifPossible ? 0 : 1);
};

// The Dockerfile's dependency layer runs npm ci (and so this) before the sources are copied in.
if (!existsSync(path.join(root, 'tsconfig.build.json'))) give('no sources here yet (tsconfig.build.json is missing): not built');

let tsc;
try {
  tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  give('TypeScript is not installed (a production install?): not built; the commands run the sources with tsx');
}

const dist = path.join(root, BUILD_DIR);
rmSync(dist, { recursive: true, force: true }); // no compiled file of a deleted source stays behind
const startedAt = Date.now();
// --noCheck: emit only (a third of the time); the types are `npm run typecheck`'s job, and with
// isolatedModules the output does not depend on them.
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) give(`tsc failed (exit ${compiled.status ?? compiled.signal}): dist/ is incomplete and the commands run the sources with tsx`);

for (const file of COPIED) {
  mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
  copyFileSync(path.join(root, file), path.join(dist, file));
}
const { include, exclude = [] } = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
writeFileSync(path.join(dist, BUILD_RECORD), `${JSON.stringify({ startedAt, sources: [...include, ...COPIED], exclude }, null, 2)}\n`);
process.stderr.write(`kapı build: compiled into ${BUILD_DIR}/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
