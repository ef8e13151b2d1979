import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import type Provider from 'oidc-provider';
import { ClientCache } from '../../adapters/storage/client-cache.js';
import { reuseBuiltClients } from '../../src/oidc/client-reuse.js';
import { openServices } from '../../src/services.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { registerInstitution, relyingParty } from '../support/institution.js';

describe('ClientCache', () => {
  it('answers from memory until the time-to-live ends; what it hands out cannot be changed', () => {
    const cache = new ClientCache(1000);
    const stored = { client_id: 'a', scope: 'openid', jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } };
    cache.set('a', stored, cache.generation(), 0);
    stored.scope = 'changed by the reader'; // the cache keeps its own copy
    const hit = cache.get('a', 500);
    expect(hit?.payload).toEqual({ client_id: 'a', scope: 'openid', jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } });
    // Frozen at every depth: a caller that writes fails loudly (ES modules are strict) and the next reader sees the original.
    expect(() => ((hit!.payload as Record<string, unknown>).scope = 'changed')).toThrow(/read only|read-only|not extensible/);
    expect(() => ((hit!.payload as { jwks: { keys: Array<Record<string, unknown>> } }).jwks.keys[0]!.crv = 'P-384')).toThrow(
      /read only|read-only|not extensible/,
    );
    expect(() => (hit!.payload as { jwks: { keys: unknown[] } }).jwks.keys.push({})).toThrow(/read only|read-only|not extensible/);
    expect(cache.get('a', 600)?.payload).toEqual({ client_id: 'a', scope: 'openid', jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } });
    expect(cache.get('a', 1000)).toBeUndefined();
  });

  it('remembers that a client does not exist, and forgets on invalidation', () => {
    const cache = new ClientCache(1000);
    cache.set('ghost', undefined, cache.generation(), 0);
    expect(cache.get('ghost', 1)).toEqual({ payload: undefined });
    cache.invalidate('ghost');
    expect(cache.get('ghost', 2)).toBeUndefined();
  });

  it('ignores a read that an invalidation overtook (no stale entry after a concurrent change)', () => {
    const cache = new ClientCache(1000);
    const before = cache.generation();
    cache.invalidate('a'); // the change lands while the old row is being read
    cache.set('a', { client_id: 'a', scope: 'old' }, before, 0);
    expect(cache.get('a', 1)).toBeUndefined();
  });
});

describe('reuseBuiltClients (issue 27: no hash of the whole metadata per token request)', () => {
  // A stand-in for oidc-provider's Client class: its find reads the cache as Kapı's adapter does and
  // builds a new Client each time it runs (what its hash lookup saves when the metadata is unchanged).
  function fakeProvider(cache: ClientCache, onFind: () => void = () => undefined) {
    let built = 0;
    const Client = {
      async find(id: unknown) {
        built++;
        onFind();
        const payload = typeof id === 'string' ? cache.get(id)?.payload : undefined;
        return payload ? { clientId: id, scope: payload.scope, n: built } : undefined;
      },
    };
    const provider = { Client } as unknown as Provider;
    reuseBuiltClients(provider, cache);
    return { find: (id: unknown) => Client.find(id) as Promise<{ clientId: string; scope: string; n: number } | undefined>, built: () => built };
  }

  it('hands out the Client built from the cached copy until that copy changes', async () => {
    const cache = new ClientCache(60_000);
    cache.set('a', { client_id: 'a', scope: 'openid' }, cache.generation());
    const p = fakeProvider(cache);
    const first = await p.find('a');
    expect(await p.find('a')).toBe(first);
    expect(p.built()).toBe(1);
    // A change (announced by any process) drops the copy; the next read makes a new one, and a new Client.
    cache.invalidate('a');
    cache.set('a', { client_id: 'a', scope: 'openid profile' }, cache.generation());
    const second = await p.find('a');
    expect(second).not.toBe(first);
    expect(second?.scope).toBe('openid profile');
    expect(p.built()).toBe(2);
    expect(await p.find('a')).toBe(second);
  });

  it('keeps nothing for a client that is not cached, unknown or suspended', async () => {
    const cache = new ClientCache(60_000);
    cache.set('gone', undefined, cache.generation());
    const p = fakeProvider(cache);
    expect(await p.find('gone')).toBeUndefined();
    expect(await p.find('never-read')).toBeUndefined();
    expect(await p.find(undefined)).toBeUndefined();
    expect(await p.find('gone')).toBeUndefined();
    expect(p.built()).toBe(4);
  });

  it('does not remember a Client whose copy was replaced while it was being built', async () => {
    const cache = new ClientCache(60_000);
    cache.set('a', { client_id: 'a', scope: 'old' }, cache.generation());
    let change = true;
    const p = fakeProvider(cache, () => {
      if (!change) return;
      change = false;
      cache.invalidate('a');
      cache.set('a', { client_id: 'a', scope: 'new' }, cache.generation());
    });
    await p.find('a'); // began with the old copy; the copy changed meanwhile
    const next = await p.find('a');
    expect(next?.scope).toBe('new');
    expect(p.built()).toBe(2);
  });
});

describe('institution changes reach a running server at once', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => {
    await t.stop();
  });

  async function machineToken(metadata: Record<string, unknown>) {
    const rp = await relyingParty(t, metadata);
    return client.clientCredentialsGrant(rp, { scope: 'openid' });
  }

  it('a change made in the server process applies to the next token request', async () => {
    const metadata = await registerInstitution(t, { clientCredentials: true });
    await expect(machineToken(metadata)).resolves.toHaveProperty('access_token');
    await t.kapi.services.clients.update(metadata.client_id as string, { clientCredentials: false });
    await expect(machineToken(metadata)).rejects.toThrow();
  });

  it('a change made by another process (the kapi command) applies to the next token request', async () => {
    if (!t.kapi.config.redisUrl) {
      process.stdout.write('skipped: another process can share the server’s state only through Redis (set REDIS_URL)\n');
      return;
    }
    const metadata = await registerInstitution(t, { clientCredentials: true });
    await expect(machineToken(metadata)).resolves.toHaveProperty('access_token');
    const other = await openServices(t.kapi.config);
    try {
      await other.clients.remove(metadata.client_id as string);
    } finally {
      await other.close();
    }
    // Pub/sub delivery is asynchronous: give it a moment, far below the cache's 30 s lifetime.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(machineToken(metadata)).rejects.toThrow();
  });
});
