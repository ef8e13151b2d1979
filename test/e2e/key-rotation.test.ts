import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type * as client from 'openid-client';
import { announceKeyChange } from '../../src/app.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];

describe('signing-key rotation on a running server', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  beforeAll(async () => {
    t = await startKapi();
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => t?.stop());

  const jwks = async () => (await (await fetch(`${t.issuer}/jwks`)).json()) as JSONWebKeySet;
  const idToken = async () => {
    const req = await authRequest(rp);
    return (await exchange(rp, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url)).id_token!;
  };

  it('publishes the next key before it signs, signs with it after rotation, and keeps old tokens verifiable', async () => {
    const keysBefore = await t.kapi.services.keys.list();
    // The institution was registered without an algorithm: its ID tokens are RS256 (the default).
    const rs256 = (state: string, list = keysBefore) => list.find((k) => k.alg === 'RS256' && k.state === state)!.kid;
    const published = (await jwks()).keys.map((k) => k.kid);
    expect(published).toContain(rs256('active'));
    expect(published).toContain(rs256('next')); // published ahead of use
    for (const k of (await jwks()).keys) expect(k).not.toHaveProperty('d');

    const oldToken = await idToken();
    expect(decodeProtectedHeader(oldToken).kid).toBe(rs256('active'));

    await t.kapi.services.keys.rotate(new Date(), { force: true });
    await announceKeyChange(t.kapi.services);
    await new Promise((r) => setTimeout(r, 200));

    const keysAfter = await t.kapi.services.keys.list();
    const newToken = await idToken();
    expect(decodeProtectedHeader(newToken).kid).toBe(rs256('next')); // yesterday's next signs today
    expect(rs256('active', keysAfter)).toBe(rs256('next'));
    const set = await jwks();
    expect(set.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([rs256('active'), rs256('next'), rs256('next', keysAfter)]));
    // The token signed before the rotation still verifies against the published set.
    await expect(jwtVerify(oldToken, createLocalJWKSet(set), { issuer: t.issuer })).resolves.toBeTruthy();
  });
});
