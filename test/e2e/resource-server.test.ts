import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];
const API = 'https://api.tax.example/';

describe('access tokens for registered resource servers', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
    await t.kapi.services.resourceServers.add({ identifier: API, name: 'Tax API', scopes: ['tax:read'] });
  });
  afterAll(async () => t?.stop());

  it('issues an RFC 9068 JWT access token carrying acr, amr and auth_time for a registered API', async () => {
    const metadata = await registerInstitution(t, { scopes: ['openid', 'profile'] });
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile tax:read', resource: API });
    const tokens = await exchange(rp, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), {
      issuer: t.issuer,
      audience: API,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.acr).toBe('low');
    expect(payload.amr).toEqual(['pwd']);
    expect(typeof payload.auth_time).toBe('number');
    expect(payload.scope).toBe('tax:read');
    expect(payload.client_id).toBe(metadata.client_id);
    // That access token cannot reach userinfo (it is the API's): the scope claims come in the ID token.
    expect(tokens.claims()!.given_name).toBe('Ayşe');
    await expect(client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub)).rejects.toBeTruthy();
  });

  it('refuses an unknown resource with invalid_target', async () => {
    const metadata = await registerInstitution(t, { scopes: ['openid'], clientCredentials: true });
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid tax:read', resource: 'https://unknown.example/' });
    const page = await new Browser().go(req.url.href, {}, (l) => l.startsWith('https://institution.example/cb'));
    expect(new URL(page.url).searchParams.get('error')).toBe('invalid_target');
    await expect(client.clientCredentialsGrant(rp, { resource: 'https://unknown.example/' })).rejects.toBeTruthy();
  });
});
