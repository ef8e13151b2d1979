#!/usr/bin/env node
// Runs after `npm install` / `npm ci` (package.json "postinstall"): applies Kapı's small, exact
// changes to installed dependencies, each until its upstream release carries an equivalent fix.
// A patch names the text it replaces; when that text is not found (the dependency changed) the patch
// is skipped with a warning, never guessed at, and test/unit/dependency-patches.test.ts fails, so an
// upgrade that drops a patch is noticed in CI instead of in production. Running it twice is harmless.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Both patches below undo the same pattern: an accessor defined on each new object with
// Object.defineProperty and a getter closure made for that object. V8 keeps accessors in the hidden
// class, so each such object gets a hidden class of its own, which lives in the old generation and
// holds young objects: every scavenge then keeps whole requests (or Redis commands) alive and promotes
// them, and the major collections that sweep them up stall the server. Measured with --trace-gc-nvp,
// one core, each patch alone (docs/architecture.md, "Memory and garbage collection").

/**
 * Each patch is a list of exact edits to one file, applied all together or not at all.
 * @type {Array<{ name: string, package: string, entry: string, file: string, edits: Array<{ find: string, replace: string }> }>}
 */
export const PATCHES = [
  {
    // oidc-provider 9.13 builds `ctx.oidc` lazily behind a per-request getter. Bare provider, JWKS
    // flood: 18% of each scavenge promoted and 5.6 ms per scavenge before, 0% and 0.3 ms after, with
    // about a third more requests per second. The context is built at once instead, as a data property
    // with the same attributes (not writable, enumerable or configurable); every route reads `ctx.oidc`
    // anyway (ensureSessionSave does), so nothing is built that was not built before.
    name: 'oidc-provider: ctx.oidc as a data property',
    package: 'oidc-provider',
    entry: 'lib/index.js', // what the package resolves to: its directory is found from it
    file: 'lib/helpers/initialize_app.js',
    edits: [
      {
        find: `    let oidcCtx;
    Object.defineProperty(ctx, 'oidc', {
      get: () => {
        oidcCtx ||= new this.OIDCContext(ctx);
        return oidcCtx;
      },
    });`,
        replace: `    // Patched by Kapı (bin/patch-dependencies.mjs): a data property, not a per-request getter.
    Object.defineProperty(ctx, 'oidc', { value: new this.OIDCContext(ctx) });`,
      },
    ],
  },
  {
    // ioredis 6 gives every Pipeline its own `length` getter, and with enableAutoPipelining (Kapı's
    // setting) every tick that sends Redis commands makes a Pipeline. 16 concurrent EVALSHA loops on
    // one core: 18% of each scavenge promoted, 3.4 ms per scavenge and 86,700 commands/s before; 0.6%,
    // 0.5 ms and 96,700/s after. The getter moves to the class, where it reads the same queue.
    name: 'ioredis: Pipeline length on the prototype',
    package: 'ioredis',
    entry: 'built/index.js',
    file: 'built/Pipeline.js',
    edits: [
      {
        find: `class Pipeline extends Commander_1.default {
    constructor(redis) {`,
        replace: `class Pipeline extends Commander_1.default {
    // Patched by Kapı (bin/patch-dependencies.mjs): one getter on the prototype, not one per pipeline.
    get length() {
        return this._queue.length;
    }
    constructor(redis) {`,
      },
      {
        find: `        const _this = this;
        Object.defineProperty(this, "length", {
            get: function () {
                return _this._queue.length;
            },
        });
`,
        replace: '',
      },
    ],
  },
];

/**
 * 'applied' (changed now), 'present' (changed before) or 'missing' (some text to replace is not there:
 * then nothing is changed). An edit that only removes text counts as present when its text is gone.
 */
export function applyPatch(source, patch) {
  const done = (edit) => (edit.replace ? source.includes(edit.replace) : !source.includes(edit.find));
  if (patch.edits.every(done)) return { state: 'present', source };
  if (!patch.edits.every((edit) => source.includes(edit.find))) return { state: 'missing', source };
  let changed = source;
  for (const edit of patch.edits) changed = changed.replace(edit.find, () => edit.replace);
  return { state: 'applied', source: changed };
}

/** The installed file a patch changes, found the way Kapı's own imports find the package. */
export function patchedFile(patch, root) {
  const entry = createRequire(path.join(root, 'package.json')).resolve(patch.package);
  return path.join(entry.slice(0, entry.length - path.normalize(patch.entry).length), patch.file);
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  for (const patch of PATCHES) {
    let file;
    let source;
    try {
      file = patchedFile(patch, root);
      source = readFileSync(file, 'utf8');
    } catch {
      process.stderr.write(`kapı: patch "${patch.name}" skipped: ${patch.package} is not installed\n`);
      continue;
    }
    const result = applyPatch(source, patch);
    if (result.state === 'applied') writeFileSync(file, result.source);
    if (result.state === 'missing')
      process.stderr.write(`kapı: patch "${patch.name}" skipped: the code it replaces is not in ${file} (upgraded? see bin/patch-dependencies.mjs)\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
