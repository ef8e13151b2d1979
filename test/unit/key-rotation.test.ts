import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import type { Database } from '../../adapters/storage/port.js';
import { KEY_ALGS, KeyStore, type StoredKey } from '../../keys/key-store.js';
import { Sealer } from '../../src/security/crypto.js';

// The signing-key life cycle (next -> active -> retiring -> retired) on an in-memory PGlite.

const LIFETIME = 3600; // seconds: the longest lifetime of anything signed

describe('KeyStore', () => {
  let db: Database;
  let keys: KeyStore;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: ':memory:', snapshot: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT });
    await migrateLatest(db);
    keys = new KeyStore(db, new Sealer(randomBytes(32)), LIFETIME);
  });

  afterAll(async () => {
    await closeDatabase(db);
  });

  const inState = (all: StoredKey[], state: string, alg?: string) =>
    all
      .filter((k) => k.state === state && (!alg || k.alg === alg))
      .map((k) => k.kid)
      .sort();

  it('creates one active and one next key per algorithm, once', async () => {
    await keys.ensureKeys();
    const first = await keys.list();
    for (const alg of KEY_ALGS) {
      expect(inState(first, 'active', alg)).toHaveLength(1);
      expect(inState(first, 'next', alg)).toHaveLength(1);
    }
    expect(first).toHaveLength(2 * KEY_ALGS.length);

    await keys.ensureKeys();
    expect((await keys.list()).map((k) => k.kid).sort()).toEqual(first.map((k) => k.kid).sort());
  });

  it('gives oidc-provider the active keys first and the others for verification only', async () => {
    const all = await keys.list();
    const jwks = (await keys.providerJwks()).keys;
    expect(jwks).toHaveLength(4);
    const active = jwks.slice(0, KEY_ALGS.length);
    expect(active.map((k) => k.kid).sort()).toEqual(inState(all, 'active'));
    for (const k of active) expect(k.key_ops).toBeUndefined();
    for (const k of jwks.slice(KEY_ALGS.length)) expect(k.key_ops).toEqual(['verify']);
    // oidc-provider signs with them, so it gets the private part.
    for (const k of jwks) expect(typeof k.d).toBe('string');
  });

  it('keeps private keys sealed in the table and publishes only public parts', async () => {
    const jwks = (await keys.providerJwks()).keys;
    const rows = await db('signing_keys').select('*');
    for (const row of rows) {
      const stored = JSON.stringify(row);
      const jwk = jwks.find((k) => k.kid === row.kid)!;
      expect(stored).not.toContain(jwk.d as string);
      expect(row.private_jwk).toMatch(/^v1\./);
      expect(row.public_jwk.d).toBeUndefined();
    }
  });

  describe('rotation', () => {
    let before: StoredKey[];
    let rotatedAt: Date;
    let rotation: Awaited<ReturnType<KeyStore['rotate']>>;

    beforeAll(async () => {
      before = await keys.list();
      rotatedAt = new Date();
      rotation = await keys.rotate(rotatedAt, { force: true });
    });

    it('activates the published next keys and starts retiring the active ones', async () => {
      const after = await keys.list();
      expect([...rotation.activated].sort()).toEqual(inState(before, 'next'));
      expect([...rotation.retiring].sort()).toEqual(inState(before, 'active'));
      expect(rotation.retired).toEqual([]);
      expect(inState(after, 'active')).toEqual(inState(before, 'next'));
      expect(inState(after, 'retiring')).toEqual(inState(before, 'active'));
      for (const k of after.filter((x) => x.state === 'retiring')) {
        expect(k.retireAfter?.getTime()).toBe(rotatedAt.getTime() + LIFETIME * 1000);
      }
      for (const k of after.filter((x) => x.state === 'active')) expect(k.activatedAt?.getTime()).toBe(rotatedAt.getTime());
    });

    it('publishes a new next key per algorithm', async () => {
      const after = await keys.list();
      for (const alg of KEY_ALGS) {
        const next = inState(after, 'next', alg);
        expect(next).toHaveLength(1);
        expect(before.map((k) => k.kid)).not.toContain(next[0]);
      }
      const jwks = (await keys.providerJwks()).keys;
      expect(jwks).toHaveLength(6); // active, next and retiring, per algorithm
      expect(
        jwks
          .slice(0, KEY_ALGS.length)
          .map((k) => k.kid)
          .sort(),
      ).toEqual(inState(after, 'active'));
    });

    it('keeps retiring keys until every token they signed has expired', async () => {
      expect(await keys.retireExpired(new Date(rotatedAt.getTime() + LIFETIME * 1000 - 1000))).toEqual([]);
      const retiring = inState(await keys.list(), 'retiring');
      expect(retiring).toHaveLength(KEY_ALGS.length);

      const retired = await keys.retireExpired(new Date(rotatedAt.getTime() + LIFETIME * 1000));
      expect([...retired].sort()).toEqual(retiring);
      const after = await keys.list();
      expect(inState(after, 'retired')).toEqual(retiring);
      const published = (await keys.providerJwks()).keys.map((k) => k.kid);
      for (const kid of retiring) expect(published).not.toContain(kid);
      expect(published).toHaveLength(4);
      // The row stays for the audit trail; the private part is erased.
      const rows = await db('signing_keys').whereIn('kid', retiring);
      for (const row of rows) expect(row.private_jwk).toBe('');
    });

    it('retires due keys during a later rotation too, and never reuses a kid', async () => {
      const second = await keys.rotate(new Date(rotatedAt.getTime() + 2 * LIFETIME * 1000));
      expect(second.retired).toEqual([]); // the previous retiring keys are already retired
      const third = await keys.rotate(new Date(rotatedAt.getTime() + 4 * LIFETIME * 1000));
      expect([...third.retired].sort()).toEqual([...second.retiring].sort());
      const all = await keys.list();
      expect(new Set(all.map((k) => k.kid)).size).toBe(all.length);
      expect(all).toHaveLength(KEY_ALGS.length * (2 + 3)); // two initial keys per algorithm, one new next key per rotation
    });
  });
});
