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

/**
 * oidc-provider 9.13 defines `ctx.oidc` on every routed request as an accessor with a getter closure
 * made for that request, and every scavenge then keeps the whole request alive and promotes it; the major
 * collections that sweep it up stall the server. (Likely why: V8 keeps accessors in the hidden class, so
 * each context gets a hidden class of its own, in the old generation, pointing at young objects.) Measured on the bare provider (`--trace-gc-nvp`, one core, JWKS flood): 18% of
 * each scavenge promoted and 5.6 ms per scavenge before, 0% and 0.3 ms after, with about a third more
 * requests per second. The context is built at once instead, as a data property with the same
 * attributes (not writable, enumerable or configurable); every route reads `ctx.oidc` anyway
 * (ensureSessionSave does), so nothing is built that was not built before.
 */
export const PATCHES = [
  {
    name: 'oidc-provider: ctx.oidc as a data property',
    package: 'oidc-provider',
    entry: 'lib/index.js', // what the package resolves to: its directory is found from it
    file: 'lib/helpers/initialize_app.js',
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
];

/** 'applied' (changed now), 'present' (changed before) or 'missing' (the text to replace is not there). */
export function applyPatch(source, patch) {
  if (source.includes(patch.replace)) return { state: 'present', source };
  if (!source.includes(patch.find)) return { state: 'missing', source };
  return { state: 'applied', source: source.replace(patch.find, patch.replace) };
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
    if (result.state === 'missing') process.stderr.write(`kapı: patch "${patch.name}" skipped: the code it replaces is not in ${file} (upgraded? see bin/patch-dependencies.mjs)\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
