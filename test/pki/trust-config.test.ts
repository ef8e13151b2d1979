import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryRevocationCache } from '../../adapters/pki/revocation-cache.js';
import { loadTrustProfile, parseCertificates, usesTestAnchors } from '../../adapters/pki/trust-config.js';
import { isKapiError } from '../../src/errors.js';
import { createTestCa, type TestCa } from '../../keys/test-ca.js';

// Trust anchors come from files named in the configuration; a bad file stops the start with its path.

let ca: TestCa;
let dir: string;

beforeAll(async () => {
  ca = await createTestCa();
  dir = await mkdtemp(path.join(tmpdir(), 'kapi-trust-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadTrustProfile', () => {
  it('loads PEM anchors and intermediates with per-profile defaults', async () => {
    const files = await ca.writeAnchors(dir);
    const eSignature = await loadTrustProfile({ name: 'e-signature', anchorFiles: [files.root], intermediateFiles: [files.intermediate] });
    expect(eSignature).toMatchObject({
      name: 'e-signature',
      requiredKeyUsage: ['nonRepudiation'],
      requireQualified: true,
      revocation: { mode: 'fail-closed' },
    });
    expect(Buffer.from(eSignature.anchors[0]!).equals(Buffer.from(ca.rootDer))).toBe(true);
    expect(eSignature.intermediates).toHaveLength(1);

    const idCard = await loadTrustProfile({ name: 'id-card', anchorFiles: [files.root], revocation: { mode: 'fail-open' } });
    expect(idCard).toMatchObject({ requiredKeyUsage: ['digitalSignature'], requireQualified: false, revocation: { mode: 'fail-open', timeoutMs: 5000 } });
  });

  it('reads several certificates from one PEM file, and DER files', async () => {
    const bundle = path.join(dir, 'bundle.pem');
    await writeFile(bundle, `# roots\n${ca.pem(ca.rootDer)}\n${ca.pem(ca.intermediateDer)}`);
    const der = path.join(dir, 'root.cer');
    await writeFile(der, ca.rootDer);
    const profile = await loadTrustProfile({ name: 'e-signature', anchorFiles: [bundle, der] });
    expect(profile.anchors).toHaveLength(3);
  });

  it('refuses a missing file, a file without certificates and an empty list with config_invalid naming the path', async () => {
    const missing = path.join(dir, 'nope.pem');
    await expect(loadTrustProfile({ name: 'e-signature', anchorFiles: [missing] })).rejects.toMatchObject({
      code: 'config_invalid',
      params: { path: missing },
    });
    const junk = path.join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate');
    const error = await loadTrustProfile({ name: 'id-card', anchorFiles: [junk] }).catch((err: unknown) => err);
    expect(isKapiError(error) && error.code === 'config_invalid' && error.message.includes(junk)).toBe(true);
    await expect(loadTrustProfile({ name: 'id-card', anchorFiles: [] })).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('tells test anchors apart, for the production start check', async () => {
    expect(usesTestAnchors(ca.trustProfile('e-signature'))).toBe(true);
    expect(usesTestAnchors({ ...ca.trustProfile('e-signature'), anchors: [] })).toBe(false);
  });
});

describe('parseCertificates', () => {
  it('refuses PEM text whose block is not a certificate', () => {
    expect(() => parseCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'))).toThrow();
  });
});

describe('createTestCa({ dir })', () => {
  it('keeps the same CA across starts', async () => {
    const caDir = path.join(dir, 'ca');
    const first = await createTestCa({ dir: caDir });
    const second = await createTestCa({ dir: caDir });
    expect(Buffer.from(second.rootDer).equals(Buffer.from(first.rootDer))).toBe(true);
    expect(Buffer.from(second.intermediateDer).equals(Buffer.from(first.intermediateDer))).toBe(true);
  });
});

describe('MemoryRevocationCache', () => {
  it('expires entries and evicts the least recently used', async () => {
    let now = 0;
    const cache = new MemoryRevocationCache({ maxEntries: 2, now: () => now });
    await cache.set('a', new Uint8Array([1]), 10);
    await cache.set('b', new Uint8Array([2]), 10);
    await cache.get('a');
    await cache.set('c', new Uint8Array([3]), 10);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toEqual(new Uint8Array([1]));
    now = 11_000;
    expect(await cache.get('c')).toBeUndefined();
  });
});
