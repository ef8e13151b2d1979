import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { loginPage } from '../support/conformance-op.js';
import { atCallback, CALLBACK, registerInstitution } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// FAPI 2.0 Security Profile checks for an institution registered with `fapi: true` (the fapi2-security-profile
// plan's server-side expectations): PAR only, private_key_jwt with the issuer as audience, DPoP-bound
// tokens, S256 PKCE only, PS256/ES256 ID tokens, non-rotating refresh tokens, short-lived codes.

const ayse = DEMO_CITIZENS[0];

describe('conformance: FAPI 2.0 Security Profile', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;
  let key: CryptoKey;
  const kid = `fapi-${randomUUID()}`;
  let DPoP: client.DPoPHandle;

  beforeAll(async () => {
    t = await startKapi();
    const pair = await generateKeyPair('PS256', { extractable: true });
    key = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'PS256', use: 'sig' }] };
    metadata = await registerInstitution(t, { authMethod: 'private_key_jwt', jwks, fapi: true, scopes: ['openid', 'profile', 'offline_access'] });
    rp = await client.discovery(new URL(t.issuer), String(metadata.client_id), { id_token_signed_response_alg: 'PS256' }, client.PrivateKeyJwt({ key, kid }), {
      execute: [client.allowInsecureRequests],
    });
    DPoP = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
  });
  afterAll(async () => t?.stop());

  async function parLogin(extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(
      rp,
      {
        redirect_uri: CALLBACK,
        scope: 'openid profile offline_access',
        prompt: 'consent',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      },
      { DPoP },
    );
    const page = await loginPage(new Browser(), url.href, ayse);
    expect(atCallback(page.url)).toBe(true);
    return { url, page, verifier, state, nonce };
  }

  /** A private_key_jwt client assertion with a chosen audience. */
  async function assertion(aud: string | string[], signingKey = key): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'PS256', kid })
      .setIssuer(String(metadata.client_id))
      .setSubject(String(metadata.client_id))
      .setAudience(aud)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(signingKey);
  }

  async function pushWith(clientAssertion: string, params: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    return fetch(`${t.issuer}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: String(metadata.client_id),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        dpop_jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
        ...params,
      }),
    });
  }

  it('fapi2-sp: the registration carries PAR required, DPoP-bound tokens and a PS256 ID token', () => {
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    expect(metadata.dpop_bound_access_tokens).toBe(true);
    expect(metadata.id_token_signed_response_alg).toBe('PS256');
    expect(metadata.token_endpoint_auth_method).toBe('private_key_jwt');
  });

  it('fapi2-sp: a FAPI institution cannot be registered for RS256 ID tokens; ES256 is accepted', async () => {
    const keys = { keys: metadata.jwks ? (metadata.jwks as { keys: Record<string, unknown>[] }).keys : [] };
    await expect(registerInstitution(t, { authMethod: 'private_key_jwt', jwks: keys, fapi: true, idTokenAlg: 'RS256' })).rejects.toThrow(
      /PS256 or ES256, not RS256/,
    );
    expect((await registerInstitution(t, { authMethod: 'private_key_jwt', jwks: keys, fapi: true, idTokenAlg: 'ES256' })).id_token_signed_response_alg).toBe(
      'ES256',
    );
  });

  it('fapi2-sp-happy-flow: PAR + private_key_jwt + DPoP; iss in the response; PS256 ID token; DPoP access token', async () => {
    const { page, verifier, state, nonce } = await parLogin();
    expect(new URL(page.url).searchParams.get('iss')).toBe(t.issuer);
    const tokens = await client.authorizationCodeGrant(
      rp,
      new URL(page.url),
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
      undefined,
      { DPoP },
    );
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('PS256');
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect((await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub, { DPoP })).given_name).toBe('Ayşe');
    const bearer = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
  });

  it('fapi2-sp-par-required: an authorization request not pushed through PAR is refused', async () => {
    const direct = client.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const refused = await new Browser().go(direct.href, {}, atCallback);
    expect(new URL(refused.url).searchParams.get('error')).toBe('invalid_request');
  });

  it('fapi2-sp-par-request-uri-single-use: a pushed request_uri works once and is short-lived', async () => {
    const { url } = await parLogin();
    const again = await new Browser().go(url.href, {}, atCallback);
    if (atCallback(again.url)) expect(new URL(again.url).searchParams.get('error')).toMatch(/^invalid_request/);
    else expect(again.status).toBe(400);
    const pushed = await pushWith(await assertion(t.issuer));
    expect(pushed.status).toBe(201);
    expect(((await pushed.json()) as { expires_in: number }).expires_in).toBeLessThanOrEqual(600);
  });

  it('fapi2-sp-client-assertion-aud: the issuer as audience is accepted; another audience is refused', async () => {
    expect((await pushWith(await assertion(t.issuer))).status).toBe(201);
    const wrong = await pushWith(await assertion('https://another-server.example'));
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('fapi2-sp-client-assertion-foreign-key: an assertion signed by a key not registered is refused', async () => {
    const stranger = await generateKeyPair('PS256');
    const res = await pushWith(await assertion(t.issuer, stranger.privateKey));
    expect(res.status).toBe(401);
  });

  it('fapi2-sp-client-assertion-reuse: the same client assertion (jti) is accepted once', async () => {
    const once = await assertion(t.issuer);
    expect((await pushWith(once)).status).toBe(201);
    expect((await pushWith(once)).status).toBe(401);
  });

  it('fapi2-sp-pkce-s256-only: plain PKCE and a missing challenge are refused', async () => {
    const plain = await pushWith(await assertion(t.issuer), { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(plain.status).toBe(400);
    const missing = await fetch(`${t.issuer}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: String(metadata.client_id),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(t.issuer),
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid',
      }),
    });
    expect(missing.status).toBe(400);
  });

  it('fapi2-sp-dpop-required: the code cannot be redeemed without a DPoP proof, nor with another key', async () => {
    const { page, verifier, state, nonce } = await parLogin();
    await expect(
      client.authorizationCodeGrant(rp, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
    ).rejects.toBeTruthy();
    const otherKey = client.getDPoPHandle(rp, await client.randomDPoPKeyPair('ES256'));
    const second = await parLogin();
    await expect(
      client.authorizationCodeGrant(
        rp,
        new URL(second.page.url),
        { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce },
        undefined,
        { DPoP: otherKey },
      ),
    ).rejects.toBeTruthy();
  });

  it('fapi2-sp-refresh-no-rotation: the refresh token stays the same and is bound to the key of the institution', async () => {
    const { page, verifier, state, nonce } = await parLogin();
    const tokens = await client.authorizationCodeGrant(
      rp,
      new URL(page.url),
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
      undefined,
      { DPoP },
    );
    const first = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    const second = await client.refreshTokenGrant(rp, tokens.refresh_token!, undefined, { DPoP });
    expect(first.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token);
    expect(second.access_token).toBeTruthy();
    // A confidential client's refresh token is bound to its client authentication (RFC 9449 §5): a
    // thief holding the token but not the institution's private key gets nothing.
    const thief = await client.discovery(
      new URL(t.issuer),
      String(metadata.client_id),
      { id_token_signed_response_alg: 'PS256' },
      client.PrivateKeyJwt({ key: (await generateKeyPair('PS256')).privateKey, kid }),
      { execute: [client.allowInsecureRequests] },
    );
    await expect(
      client.refreshTokenGrant(thief, tokens.refresh_token!, undefined, { DPoP: client.getDPoPHandle(thief, await client.randomDPoPKeyPair('ES256')) }),
    ).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('fapi2-sp-code-lifetime: an authorization code lives at most 60 seconds', async () => {
    const { TTL } = await import('../../src/oidc/configuration.js');
    expect(TTL.AuthorizationCode).toBeLessThanOrEqual(60);
  });

  it('fapi2-sp-no-shared-secret: a FAPI institution cannot authenticate with a client secret', async () => {
    await expect(registerInstitution(t, { authMethod: 'client_secret_basic', fapi: true })).rejects.toBeTruthy();
  });
});
