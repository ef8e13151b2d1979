import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { ClientCache } from '../../adapters/storage/client-cache.js';
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
