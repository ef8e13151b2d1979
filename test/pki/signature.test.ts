import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { verifySignature, type SignatureAlgorithm } from '../../adapters/pki/signature.js';
import { createTestCa, type TestCa } from '../../keys/test-ca.js';

// The login challenge signature: what the smart-card signer sends must verify with the certificate's key
// under exactly the algorithm it names, and nothing else may.

const challenge = new TextEncoder().encode(
  '{"purpose":"kapi-smart-card-login","iss":"https://kapi.test","txn":"t1","nonce":"n","iat":1,"profile":"e-signature"}',
);

interface Card {
  cert: Uint8Array;
  key: KeyObject;
}

let ca: TestCa;
let rsa: Card;
let p256: Card;
let p384: Card;

async function card(pair: { publicKey: KeyObject; privateKey: KeyObject }): Promise<Card> {
  const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
  const cert = await ca.issueLeaf({ publicKey: spki, nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz', profile: 'e-signature' });
  return { cert, key: pair.privateKey };
}

function signWith(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array = challenge): Uint8Array {
  switch (alg) {
    case 'RS256':
      return new Uint8Array(sign('sha256', data, key));
    case 'PS256':
      return new Uint8Array(sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    case 'ES256':
      return new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
    case 'ES384':
      return new Uint8Array(sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' }));
  }
}

beforeAll(async () => {
  ca = await createTestCa();
  rsa = await card(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  p256 = await card(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  p384 = await card(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
});

describe('verifySignature', () => {
  it.each([
    ['RS256', () => rsa],
    ['PS256', () => rsa],
    ['ES256', () => p256],
    ['ES384', () => p384],
  ] as const)('accepts a good %s signature', async (alg, which) => {
    const { cert, key } = which();
    await expect(verifySignature(cert, alg, challenge, signWith(alg, key))).resolves.toBe(true);
  });

  it('refuses a signature over tampered data', async () => {
    const tampered = challenge.slice();
    tampered[10] = tampered[10]! ^ 1;
    for (const [alg, c] of [
      ['RS256', rsa],
      ['PS256', rsa],
      ['ES256', p256],
      ['ES384', p384],
    ] as const) {
      await expect(verifySignature(c.cert, alg, tampered, signWith(alg, c.key))).resolves.toBe(false);
    }
  });

  it('refuses a PSS salt other than 32 bytes', async () => {
    const sig = new Uint8Array(sign('sha256', challenge, { key: rsa.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }));
    await expect(verifySignature(rsa.cert, 'PS256', challenge, sig)).resolves.toBe(false);
  });

  it('refuses a signature checked under another algorithm than it was made with', async () => {
    await expect(verifySignature(rsa.cert, 'PS256', challenge, signWith('RS256', rsa.key))).resolves.toBe(false);
    await expect(verifySignature(rsa.cert, 'RS256', challenge, signWith('PS256', rsa.key))).resolves.toBe(false);
    await expect(verifySignature(p256.cert, 'ES384', challenge, signWith('ES256', p256.key))).resolves.toBe(false);
    await expect(verifySignature(p384.cert, 'ES256', challenge, signWith('ES384', p384.key))).resolves.toBe(false);
  });

  it('refuses an algorithm that does not fit the key', async () => {
    await expect(verifySignature(p256.cert, 'RS256', challenge, signWith('ES256', p256.key))).resolves.toBe(false);
    await expect(verifySignature(rsa.cert, 'ES256', challenge, signWith('RS256', rsa.key))).resolves.toBe(false);
  });

  it('refuses a DER (not raw r||s) ECDSA signature', async () => {
    const der = new Uint8Array(sign('sha256', challenge, p256.key));
    await expect(verifySignature(p256.cert, 'ES256', challenge, der)).resolves.toBe(false);
  });

  it('answers false, never throws, on garbage', async () => {
    const good = signWith('ES256', p256.key);
    await expect(verifySignature(new Uint8Array([1, 2, 3]), 'ES256', challenge, good)).resolves.toBe(false);
    await expect(verifySignature(new Uint8Array(0), 'RS256', challenge, good)).resolves.toBe(false);
    await expect(verifySignature(p256.cert, 'ES256', challenge, new Uint8Array(64))).resolves.toBe(false);
    await expect(verifySignature(p256.cert, 'ES256', challenge, new Uint8Array(0))).resolves.toBe(false);
    await expect(verifySignature(p256.cert, 'HS256' as SignatureAlgorithm, challenge, good)).resolves.toBe(false);
    await expect(verifySignature(p256.cert, 'ES256', null as unknown as Uint8Array, good)).resolves.toBe(false);
    await expect(verifySignature(null as unknown as Uint8Array, 'ES256', challenge, good)).resolves.toBe(false);
  });
});
