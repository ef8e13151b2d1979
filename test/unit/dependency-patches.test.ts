import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import Provider from 'oidc-provider';
import { applyPatch, patchedFile, PATCHES } from '../../bin/patch-dependencies.mjs';
import { dependencyPatchesNotInEffect } from '../../src/runtime/dependency-patches.js';

// bin/patch-dependencies.mjs (npm's postinstall) changes installed dependencies until upstream carries
// an equivalent fix. These tests fail when a patch is no longer in effect, e.g. after an upgrade changed
// the code it replaces: then re-measure and rewrite or drop the patch.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('dependency patches', () => {
  it('every patch is in effect in the installed tree', () => {
    for (const patch of PATCHES) {
      const source = readFileSync(patchedFile(patch, ROOT), 'utf8');
      expect({ patch: patch.name, state: applyPatch(source, patch).state }).toEqual({ patch: patch.name, state: 'present' });
    }
  });

  it('a patch applies all its edits once, keeps what surrounds them, and leaves changed code alone', () => {
    for (const patch of PATCHES) {
      const original = patch.edits.map((edit, i) => `before ${i}\n${edit.find}\nafter ${i}\n`).join('');
      const first = applyPatch(original, patch);
      expect(first.state).toBe('applied');
      expect(first.source).toBe(patch.edits.map((edit, i) => `before ${i}\n${edit.replace}\nafter ${i}\n`).join(''));
      expect(applyPatch(first.source, patch)).toEqual({ state: 'present', source: first.source });
      // Upstream changed the code of any one edit: nothing is changed, not even the other edits.
      for (const changed of patch.edits) {
        const upstream = original.replace(
          changed.find,
          changed.find.replace(/\S+/, (word) => `${word}/*changed*/`),
        );
        expect(applyPatch(upstream, patch)).toEqual({ state: 'missing', source: upstream });
      }
    }
  });

  it("oidc-provider's routes get ctx.oidc as a fixed data property holding the request's context", async () => {
    const provider = new Provider('http://127.0.0.1', {});
    let seen: { descriptor: PropertyDescriptor | undefined; route: unknown } | undefined;
    provider.use(async (ctx, next) => {
      await next();
      const descriptor = Object.getOwnPropertyDescriptor(ctx, 'oidc');
      seen = { descriptor, route: (descriptor?.value as { route?: unknown } | undefined)?.route };
    });
    const server = http.createServer(provider.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      expect(res.status).toBe(200);
      expect(seen?.descriptor).toMatchObject({ writable: false, enumerable: false, configurable: false });
      expect(seen?.descriptor?.get).toBeUndefined();
      expect(seen?.route).toBe('jwks');
    } finally {
      server.close();
    }
  });

  it("ioredis pipelines (auto-pipelining makes one per tick) count their queue through the class's getter, not their own", () => {
    const redis = new Redis({ lazyConnect: true });
    try {
      const pipeline = redis.pipeline();
      expect(Object.getOwnPropertyDescriptor(pipeline, 'length')).toBeUndefined();
      expect(pipeline.length).toBe(0);
      pipeline.set('kapi:test:patch', '1').get('kapi:test:patch');
      expect(pipeline.length).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  it('the start-up check names the patches not in effect: none here, each one in an unpatched or incomplete tree', () => {
    expect(dependencyPatchesNotInEffect()).toEqual([]);
    // Each tree gets a directory of its own: the test runner's resolver remembers what it did not find.
    const empty = mkdtempSync(path.join(os.tmpdir(), 'kapi-patches-'));
    const root = mkdtempSync(path.join(os.tmpdir(), 'kapi-patches-'));
    try {
      writeFileSync(path.join(empty, 'package.json'), '{"name":"nothing-installed","type":"module"}');
      // No packages at all: every patch is reported, nothing throws.
      expect(dependencyPatchesNotInEffect(empty)).toEqual(PATCHES.map((p) => p.name));
      // The packages installed with the code each patch replaces, i.e. the patcher never ran.
      writeFileSync(path.join(root, 'package.json'), '{"name":"unpatched","type":"module"}');
      for (const patch of PATCHES) {
        const dir = path.join(root, 'node_modules', patch.package);
        mkdirSync(path.dirname(path.join(dir, patch.file)), { recursive: true });
        mkdirSync(path.dirname(path.join(dir, patch.entry)), { recursive: true });
        writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: patch.package, main: patch.entry }));
        writeFileSync(path.join(dir, patch.entry), '');
        writeFileSync(path.join(dir, patch.file), `// upstream\n${patch.edits.map((edit) => edit.find).join('\n')}\n`);
      }
      expect(dependencyPatchesNotInEffect(root)).toEqual(PATCHES.map((p) => p.name));
      // Patched: nothing to report.
      for (const patch of PATCHES) {
        const file = path.join(root, 'node_modules', patch.package, patch.file);
        writeFileSync(file, applyPatch(readFileSync(file, 'utf8'), patch).source);
      }
      expect(dependencyPatchesNotInEffect(root)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
