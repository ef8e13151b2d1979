import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, CALLBACK, registerInstitution, relyingParty, signIn } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];

async function institutionKeys(alg: 'ES256' | 'PS256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg}-${Math.random().toString(36).slice(2)}`;
  return { auth: client.PrivateKeyJwt({ key: privateKey, kid }), jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] } };
}

async function parLogin(rp: client.Configuration, options: { DPoP?: client.DPoPHandle; params?: Record<string, string> } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = await client.buildAuthorizationUrlWithPAR(
    rp,
    {
      redirect_uri: CALLBACK,
      scope: 'openid profile offline_access',
      prompt: 'consent', // OpenID Connect issues offline_access only with explicit consent
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...options.params,
    },
    options.DPoP ? { DPoP: options.DPoP } : undefined,
  );
  const page = await signIn(new Browser(), url.href, ayse.nationalId, ayse.password);
  expect(atCallback(page.url)).toBe(true);
  return client.authorizationCodeGrant(
    rp,
    new URL(page.url),
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    options.DPoP ? { DPoP: options.DPoP } : undefined,
  );
}

describe('PAR, private_key_jwt, DPoP and the FAPI 2.0 profile', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi({ env: { KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent' } });
  });
  afterAll(async () => t?.stop());

  it('authenticates an institution with private_key_jwt and honours per-client "PAR required"', async () => {
    const keys = await institutionKeys('ES256');
    const metadata = await registerInstitution(t, {
      authMethod: 'private_key_jwt',
      jwks: keys.jwks,
      parRequired: true,
      scopes: ['openid', 'profile', 'offline_access'],
    });
    const rp = await relyingParty(t, metadata, keys.auth);
    const tokens = await parLogin(rp);
    expect(tokens.claims()?.acr).toBe('low');
    // Without PAR the same institution is refused.
    const direct = client.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge('x'.repeat(43)),
      code_challenge_method: 'S256',
    });
    const refused = await new Browser().go(direct.href, {}, atCallback);
    expect(new URL(refused.url).searchParams.get('error')).toBe('invalid_request');
    // A client assertion signed by another key is not accepted.
    const stranger = await institutionKeys('ES256');
    const impostor = await relyingParty(t, metadata, stranger.auth);
    await expect(client.clientCredentialsGrant(impostor, { scope: 'openid' })).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('binds tokens to a DPoP key; the refresh token of a sender-constrained client does not rotate', async () => {
    const metadata = await registerInstitution(t, { dpopRequired: true, scopes: ['openid', 'profile', 'offline_access'] });
    const rp = await relyingParty(t, metadata);
    const DPoP = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const tokens = await parLogin(rp, { DPoP });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub, { DPoP });
    expect(userinfo.given_name).toBe('Ayşe');
    // The access token alone (as a bearer token, without the key) is refused.
    const bearer = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    // Another key cannot use it either.
    const otherKey = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    await expect(client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub, { DPoP: otherKey })).rejects.toBeTruthy();
    const first = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    const second = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    expect(first.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
    expect(second.access_token).toBeTruthy();
  });

  it('runs a FAPI 2.0 institution: PAR, private_key_jwt, DPoP, PS256 ID tokens, no refresh rotation', async () => {
    const keys = await institutionKeys('PS256');
    const metadata = await registerInstitution(t, {
      authMethod: 'private_key_jwt',
      jwks: keys.jwks,
      fapi: true,
      scopes: ['openid', 'profile', 'offline_access'],
    });
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    expect(metadata.dpop_bound_access_tokens).toBe(true);
    const rp = await client.discovery(new URL(t.issuer), metadata.client_id as string, { id_token_signed_response_alg: 'PS256' }, keys.auth, {
      execute: [client.allowInsecureRequests],
    });
    const DPoP = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const tokens = await parLogin(rp, { DPoP });
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('PS256');
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
  });

  it('issues client_credentials tokens to institutions allowed that grant', async () => {
    const metadata = await registerInstitution(t, { clientCredentials: true, scopes: ['openid'] });
    const rp = await relyingParty(t, metadata);
    const tokens = await client.clientCredentialsGrant(rp, {});
    expect(tokens.access_token).toBeTruthy();
    const introspection = await client.tokenIntrospection(rp, tokens.access_token);
    expect(introspection.active).toBe(true);
    expect(introspection.client_id).toBe(metadata.client_id);
  });

  it('accepts a signed request object (JAR) and refuses one signed with a foreign key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = 'jar-key';
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
    const metadata = await registerInstitution(t, { authMethod: 'private_key_jwt', jwks, scopes: ['openid', 'profile'] });
    const rp = await relyingParty(t, metadata, client.PrivateKeyJwt({ key: privateKey, kid }));
    const verifier = client.randomPKCECodeVerifier();
    const params = {
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: client.randomState(),
    };
    const signed = await client.buildAuthorizationUrlWithJAR(rp, params, { key: privateKey, kid });
    const page = await signIn(new Browser(), signed.href, ayse.nationalId, ayse.password);
    expect(new URL(page.url).searchParams.get('code')).toBeTruthy();
    const foreign = await generateKeyPair('ES256', { extractable: true });
    const forged = await client.buildAuthorizationUrlWithJAR(rp, params, { key: foreign.privateKey, kid });
    const refused = await new Browser().go(forged.href, {}, atCallback);
    expect(new URL(refused.url).searchParams.get('error')).toBe('invalid_request_object');
  });

  it('rotates the DPoP-bound refresh token of a public client (the mobile app) at every use', async () => {
    const metadata = await registerInstitution(t, { authMethod: 'none', dpopRequired: true, scopes: ['openid', 'profile', 'offline_access'] });
    const rp = await relyingParty(t, metadata, client.None());
    const DPoP = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const tokens = await parLogin(rp, { DPoP });
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
