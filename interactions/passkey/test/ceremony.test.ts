import { describe, expect, it } from '@jest/globals';
import { amrOf, assertionFrom, attestationFrom, claimedChallenge, relyingParty } from '../ceremony.js';
import { passkeyConfig } from '../config.js';
import { passkeyModule } from '../index.js';
import { METHOD_TRAITS } from '../../index.js';

// The passkey module's small rules: what a ceremony proves (amr), what the relying party is, what a
// posted answer must look like before the library reads it, and the module's switch.

describe('passkeys: ceremony rules', () => {
  it('amr per RFC 8176 from the ceremony: hwk for a device-bound key, swk for a synced one; pin when the user was verified, user for presence only', () => {
    expect(amrOf({ deviceType: 'singleDevice', userVerified: true })).toEqual(['hwk', 'pin']);
    expect(amrOf({ deviceType: 'multiDevice', userVerified: true })).toEqual(['swk', 'pin']);
    expect(amrOf({ deviceType: 'singleDevice', userVerified: false })).toEqual(['hwk', 'user']);
  });

  it('is a first stage at substantial (NIST SP 800-63B-4: a user-verifying passkey is AAL2) that proves no signature or password', () => {
    expect(METHOD_TRAITS.of('passkey')).toMatchObject({ stage: 'first', acr: 'substantial', proves: [] });
    expect(passkeyModule.staticFiles).toEqual(['passkey.js']);
  });

  it("the relying party is the issuer's host, and its origin the only origin", () => {
    expect(relyingParty('https://giris.turkiye.gov.tr')).toEqual({ id: 'giris.turkiye.gov.tr', origin: 'https://giris.turkiye.gov.tr', name: 'Kapı' });
    expect(relyingParty('http://localhost:3000')).toMatchObject({ id: 'localhost', origin: 'http://localhost:3000' });
  });

  it('reads only answers shaped as WebAuthn answers', () => {
    const assertion = {
      id: 'abc',
      rawId: 'abc',
      type: 'public-key',
      response: {
        clientDataJSON: Buffer.from(JSON.stringify({ challenge: 'xyz' })).toString('base64url'),
        authenticatorData: 'AA',
        signature: 'AA',
        userHandle: 'AA',
      },
    };
    expect(assertionFrom(JSON.stringify(assertion))?.id).toBe('abc');
    expect(claimedChallenge(assertionFrom(JSON.stringify(assertion))!)).toBe('xyz');
    for (const bad of [
      '',
      'null',
      '[]',
      '{"type":"public-key"}',
      JSON.stringify({ ...assertion, rawId: 'other' }),
      JSON.stringify({ ...assertion, response: { ...assertion.response, signature: '<script>' } }),
      'x'.repeat(20_000),
    ]) {
      expect(assertionFrom(bad)).toBeUndefined();
    }
    const attestation = {
      id: 'abc',
      rawId: 'abc',
      type: 'public-key',
      response: { clientDataJSON: 'AA', attestationObject: 'AA', transports: ['internal', 'made-up', 3] },
    };
    expect(attestationFrom(JSON.stringify(attestation))?.response.transports).toEqual(['internal']);
    expect(claimedChallenge({ response: { clientDataJSON: 'not json' } })).toBe('');
  });

  it('is on unless KAPI_PASSKEYS says false', () => {
    expect(passkeyConfig.parse({ issuer: 'http://localhost', moduleEnvironment: {} }).enabled).toBe(true);
    expect(passkeyConfig.parse({ issuer: 'http://localhost', moduleEnvironment: { KAPI_PASSKEYS: 'false' } }).enabled).toBe(false);
    expect(() => passkeyConfig.parse({ issuer: 'http://localhost', moduleEnvironment: { KAPI_PASSKEYS: 'maybe' } })).toThrow();
  });
});
