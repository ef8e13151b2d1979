import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { applyPatch, patchedFile, PATCHES } from '../../bin/patch-dependencies.mjs';

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

  it('a patch applies once, keeps what surrounds it, and leaves unknown code alone', () => {
    const patch = PATCHES[0]!;
    const original = `before\n${patch.find}\nafter\n`;
    const first = applyPatch(original, patch);
    expect(first.state).toBe('applied');
    expect(first.source).toBe(`before\n${patch.replace}\nafter\n`);
    expect(applyPatch(first.source, patch)).toEqual({ state: 'present', source: first.source });
    const changedUpstream = original.replace('oidcCtx ||=', 'oidcCtx ??=');
    expect(applyPatch(changedUpstream, patch)).toEqual({ state: 'missing', source: changedUpstream });
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
});
