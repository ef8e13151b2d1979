import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { callbackParams, isLoginForm, loginAndExchange, loginPage, ShiftedClock } from '../support/conformance-op.js';
import { atCallback, authRequest, CALLBACK, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// OpenID Connect Basic OP certification plan (oidcc-basic-certification-test-plan), module by module,
// with openid-client as the institution. Variant: response_type=code, client_secret_basic, static client.
// Each `it` is named after the module it mirrors.

const ayse = DEMO_CITIZENS[0];
const ALL_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'national_id', 'offline_access'];

describe('conformance: Basic OP', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;
  const clock = new ShiftedClock();

  beforeAll(async () => {
    t = await startKapi();
    metadata = await registerInstitution(t, { scopes: ALL_SCOPES as never });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => t?.stop());
  afterEach(() => clock.uninstall());

  it('oidcc-server: a code flow returns a valid ID token (iss, aud, exp, iat, nonce, sub) and state', async () => {
    const { tokens, req, callback } = await loginAndExchange(rp, ayse);
    const params = callbackParams(callback);
    expect(params.get('state')).toBe(req.state);
    expect(params.get('iss')).toBe(t.issuer);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(t.issuer);
    expect(claims.aud).toBe(metadata.client_id);
    expect(claims.nonce).toBe(req.nonce);
    expect(typeof claims.sub).toBe('string');
    expect(claims.exp).toBeGreaterThan(claims.iat);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
  });

  it('oidcc-response-type-missing: a request without response_type is refused, never issues a code', async () => {
    const url = new URL(`${t.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: String(metadata.client_id),
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    const page = await new Browser().go(url.href, {}, atCallback);
    if (atCallback(page.url)) {
      const params = callbackParams(page.url);
      expect(params.get('error')).toMatch(/^(invalid_request|unsupported_response_type)$/);
      expect(params.get('code')).toBeNull();
    } else {
      expect(page.status).toBe(400);
    }
  });

  it('oidcc-idtoken-signature: the ID token is signed with the registered alg by a key in the JWKS (kid present)', async () => {
    const { tokens } = await loginAndExchange(rp, ayse);
    const header = decodeProtectedHeader(tokens.id_token!);
    expect(header.alg).toBe('RS256'); // registered without an algorithm: OpenID's registration default
    expect(header.kid).toBeTruthy();
    const jwks = createRemoteJWKSet(new URL(`${t.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: t.issuer, audience: String(metadata.client_id) });
    expect(payload.sub).toBe(tokens.claims()!.sub);
  });

  it('oidcc-idtoken-rs256: an institution registered without an ID-token algorithm gets RS256 (the registration default); ES256 and PS256 when asked', async () => {
    const plain = await registerInstitution(t);
    expect(plain.id_token_signed_response_alg).toBeUndefined();
    // The suite's client knows nothing of Kapı: it expects RS256 unless it registered another.
    const suiteRp = await client.discovery(new URL(t.issuer), String(plain.client_id), undefined, client.ClientSecretBasic(String(plain.client_secret)), {
      execute: [client.allowInsecureRequests],
    });
    const { tokens } = await loginAndExchange(suiteRp, ayse);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    for (const alg of ['ES256', 'PS256'] as const) {
      const asked = await registerInstitution(t, { idTokenAlg: alg });
      const { tokens: signed } = await loginAndExchange(await relyingParty(t, asked), ayse);
      expect(decodeProtectedHeader(signed.id_token!).alg).toBe(alg);
    }
  });

  it('oidcc-idtoken-unsigned: unsigned ID tokens (alg none) cannot be registered or advertised', async () => {
    await expect(registerInstitution(t, { idTokenAlg: 'none' as never })).rejects.toBeTruthy();
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(discovery.id_token_signing_alg_values_supported).not.toContain('none');
  });

  it('oidcc-userinfo-get: userinfo by GET with the bearer token in the Authorization header', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile' });
    const res = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.sub).toBe(tokens.claims()!.sub);
    expect(body.given_name).toBe('Ayşe');
  });

  it('oidcc-userinfo-post-header: userinfo by POST with the bearer token in the Authorization header', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile' });
    const res = await client.fetchProtectedResource(rp, tokens.access_token, new URL(`${t.issuer}/me`), 'POST');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sub: string }).sub).toBe(tokens.claims()!.sub);
  });

  it('oidcc-userinfo-post-body: userinfo by POST with the access token in a form body', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile' });
    const res = await fetch(`${t.issuer}/me`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sub: string }).sub).toBe(tokens.claims()!.sub);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: nonce is optional with response_type=code', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'no-nonce',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await loginPage(new Browser(), url.href, ayse);
    const tokens = await client.authorizationCodeGrant(rp, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: 'no-nonce', idTokenExpected: true });
    expect(tokens.claims()!.nonce).toBeUndefined();
  });

  it('oidcc-ensure-request-with-nonce: the nonce sent comes back unchanged in the ID token', async () => {
    const { tokens, req } = await loginAndExchange(rp, ayse);
    expect(tokens.claims()!.nonce).toBe(req.nonce);
  });

  const scopeModules: [string, string, string[]][] = [
    ['oidcc-scope-profile', 'openid profile', ['name', 'given_name', 'family_name', 'birthdate']],
    ['oidcc-scope-email', 'openid email', ['email', 'email_verified']],
    ['oidcc-scope-address', 'openid address', ['address']],
    ['oidcc-scope-phone', 'openid phone', ['phone_number', 'phone_number_verified']],
    [
      'oidcc-scope-all',
      'openid profile email address phone',
      ['name', 'given_name', 'family_name', 'email', 'email_verified', 'address', 'phone_number', 'phone_number_verified'],
    ],
  ];
  for (const [module, scope, expected] of scopeModules) {
    it(`${module}: "${scope}" releases exactly its claims through userinfo`, async () => {
      const { tokens } = await loginAndExchange(rp, ayse, { scope });
      const userinfo = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
      for (const claim of expected) expect(userinfo[claim]).toBeDefined();
      // Nothing outside the scopes asked for (national_id is its own scope).
      expect(userinfo.national_id).toBeUndefined();
      if (!scope.includes('email')) expect(userinfo.email).toBeUndefined();
      if (!scope.includes('phone')) expect(userinfo.phone_number).toBeUndefined();
    });
  }

  it('Core §5.4, where scope claims go: with an access token issued, every scope claim (national_id too) comes from userinfo only; the ID token keeps sub, acr, amr, auth_time', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile email address phone national_id' });
    const idToken = tokens.claims()!;
    expect(idToken.acr).toBe('low');
    expect(idToken.amr).toEqual(['pwd']);
    expect(typeof idToken.auth_time).toBe('number');
    const personal = [
      'name',
      'given_name',
      'family_name',
      'birthdate',
      'email',
      'email_verified',
      'address',
      'phone_number',
      'phone_number_verified',
      'national_id',
      'national_id_type',
    ];
    expect(personal.filter((c) => idToken[c] !== undefined)).toEqual([]);
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, idToken.sub);
    expect(personal.filter((c) => userinfo[c] === undefined)).toEqual([]);
    expect(userinfo.national_id).toBe(ayse.nationalId);
    // A refreshed ID token follows the same rule.
    const { tokens: offline } = await loginAndExchange(rp, ayse, { scope: 'openid profile national_id offline_access', prompt: 'consent' });
    const refreshed = (await client.refreshTokenGrant(rp, offline.refresh_token!)).claims()!;
    expect([refreshed.national_id, refreshed.given_name, refreshed.acr]).toEqual([undefined, undefined, 'low']);
  });

  it('oidcc-ensure-other-scope-order-succeeds: "email openid" works like "openid email"', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'email openid' });
    expect((await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub)).email).toBe(ayse.email);
  });

  it('oidcc-display-page / oidcc-display-popup: display values are accepted', async () => {
    for (const display of ['page', 'popup']) {
      const { tokens } = await loginAndExchange(rp, ayse, { display });
      expect(tokens.claims()!.sub).toBeTruthy();
    }
  });

  it('oidcc-prompt-login: prompt=login asks the logged-in person to log in again, and auth_time moves on', async () => {
    clock.install();
    const first = await loginAndExchange(rp, ayse);
    clock.advance(5);
    const req = await authRequest(rp, { prompt: 'login' });
    const page = await first.browser.go(req.url.href, {}, atCallback);
    expect(isLoginForm(page)).toBe(true);
    const done = await loginPage(first.browser, req.url.href, ayse);
    const second = await exchange(rp, req, done.url);
    expect(second.claims()!.auth_time).toBeGreaterThanOrEqual(first.tokens.claims()!.auth_time! + 5);
    expect(second.claims()!.sub).toBe(first.tokens.claims()!.sub);
  });

  it('oidcc-prompt-none-not-logged-in: prompt=none without a session answers login_required', async () => {
    const req = await authRequest(rp, { prompt: 'none' });
    const page = await new Browser().go(req.url.href, {}, atCallback);
    const params = callbackParams(page.url);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe(req.state);
  });

  it('oidcc-prompt-none-logged-in: prompt=none with a session answers at once with a code for the same person', async () => {
    const first = await loginAndExchange(rp, ayse);
    const req = await authRequest(rp, { prompt: 'none' });
    const page = await first.browser.go(req.url.href, {}, atCallback);
    const second = await exchange(rp, req, page.url);
    expect(second.claims()!.sub).toBe(first.tokens.claims()!.sub);
    expect(second.claims()!.auth_time).toBe(first.tokens.claims()!.auth_time);
  });

  it('oidcc-max-age-1: a session older than max_age=1 must log in again; auth_time is fresh', async () => {
    clock.install();
    const first = await loginAndExchange(rp, ayse);
    clock.advance(2); // the session is now 2 s old: no real sleep
    const req = await authRequest(rp, { max_age: '1' });
    const page = await first.browser.go(req.url.href, {}, atCallback);
    expect(isLoginForm(page)).toBe(true);
    const done = await loginPage(first.browser, req.url.href, ayse);
    const claims = (await exchange(rp, req, done.url, undefined)).claims()!;
    expect(claims.auth_time).toBeGreaterThan(first.tokens.claims()!.auth_time!);
  });

  it('oidcc-max-age-10000: a younger session is reused without a login; auth_time is unchanged', async () => {
    clock.install();
    const first = await loginAndExchange(rp, ayse);
    clock.advance(2);
    const req = await authRequest(rp, { max_age: '10000' });
    const page = await first.browser.go(req.url.href, {}, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const claims = (await exchange(rp, req, page.url)).claims()!;
    expect(claims.auth_time).toBe(first.tokens.claims()!.auth_time);
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds: unknown parameters are ignored', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { extra_parameter_kapi_does_not_know: 'x' });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it('oidcc-id-token-hint: prompt=none with the earlier ID token as id_token_hint answers for the same person', async () => {
    const first = await loginAndExchange(rp, ayse);
    const req = await authRequest(rp, { prompt: 'none', id_token_hint: first.tokens.id_token! });
    const page = await first.browser.go(req.url.href, {}, atCallback);
    const second = await exchange(rp, req, page.url);
    expect(second.claims()!.sub).toBe(first.tokens.claims()!.sub);
  });

  it('oidcc-login-hint: a login_hint is accepted', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { login_hint: ayse.nationalId });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it('oidcc-ui-locales: ui_locales=en shows the hosted pages in English, and the flow completes', async () => {
    const req = await authRequest(rp, { ui_locales: 'en' });
    const page = await new Browser().go(req.url.href, {}, atCallback);
    expect(page.html).toContain('lang="en"');
    const { tokens } = await loginAndExchange(rp, ayse, { ui_locales: 'en' });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it('oidcc-claims-locales: claims_locales is accepted and the claims are returned', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile', claims_locales: 'tr en' });
    expect((await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub)).given_name).toBe('Ayşe');
  });

  it('oidcc-ensure-request-with-acr-values-succeeds: acr_values is honoured and acr is returned', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { acr_values: 'low' });
    expect(tokens.claims()!.acr).toBe('low');
  });

  it('oidcc-codereuse: a code used twice answers invalid_grant and revokes the tokens it issued', async () => {
    const { tokens, req, callback } = await loginAndExchange(rp, ayse);
    await expect(exchange(rp, req, callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    const userinfo = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  it('oidcc-codereuse-30seconds: the second use 30 s later answers invalid_grant and revokes (clock moved, no sleep)', async () => {
    clock.install();
    const { tokens, req, callback } = await loginAndExchange(rp, ayse);
    clock.advance(30);
    await expect(exchange(rp, req, callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    const userinfo = await fetch(`${t.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page, never a redirect', async () => {
    const req = await authRequest(rp, { redirect_uri: 'https://attacker.example/cb' });
    const page = await new Browser().go(req.url.href, {}, (l) => !l.startsWith(t.issuer));
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
  });

  it('oidcc-ensure-redirect-uri-in-authorization-request: an institution with several redirect URIs must name one', async () => {
    const two = await registerInstitution(t, { redirectUris: [CALLBACK, 'https://institution.example/cb2'] });
    const twoRp = await relyingParty(t, two);
    const url = new URL(
      client.buildAuthorizationUrl(twoRp, { scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }),
    );
    url.searchParams.delete('redirect_uri');
    const page = await new Browser().go(url.href, {}, (l) => !l.startsWith(t.issuer));
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
  });

  it('oidcc-ensure-post-request-succeeds: the authorization request sent by POST (form-encoded) signs in and returns a code', async () => {
    const req = await authRequest(rp);
    const browser = new Browser();
    // The suite's own page posts the form: a cross-site POST, so no Kapı session comes with it.
    let page = await browser.go(`${t.issuer}/auth`, { form: Object.fromEntries(req.url.searchParams.entries()) }, atCallback);
    expect(isLoginForm(page)).toBe(true);
    page = await loginPage(browser, page.url, ayse);
    const params = callbackParams(page.url);
    expect(params.get('state')).toBe(req.state);
    const tokens = await exchange(rp, req, page.url);
    expect(tokens.claims()!.nonce).toBe(req.nonce);
    expect(tokens.claims()!.acr).toBe('low');
    // The same request by POST with a session: answered at once, like GET.
    const again = await authRequest(rp);
    const direct = await browser.go(`${t.issuer}/auth`, { form: Object.fromEntries(again.url.searchParams.entries()) }, atCallback);
    expect((await exchange(rp, again, direct.url)).claims()!.sub).toBe(tokens.claims()!.sub);
    // The session cookie stays SameSite=Lax: a cross-site POST never carries it (README).
    const setCookies = (await fetch(`${t.issuer}/auth?${req.url.searchParams}`, { redirect: 'manual' })).headers.getSetCookie();
    expect(setCookies.length).toBeGreaterThan(0);
    for (const cookie of setCookies) expect(cookie).toMatch(/samesite=lax/i);
  });

  it('POST /auth: the parameters come from the form body only, duplicates are refused, and other bodies get a clear 400', async () => {
    const req = await authRequest(rp);
    const form = new URLSearchParams(req.url.searchParams);
    // Query parameters beside a form body are not read (Core §3.1.2.1: POST uses Form Serialization).
    const queryOnly = await fetch(`${t.issuer}/auth?${req.url.searchParams}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
      redirect: 'manual',
    });
    expect(queryOnly.status).toBe(400);
    const empty = await new Browser().go(`${t.issuer}/auth`, { form: {} }, atCallback);
    expect(empty.status).toBe(400);
    form.append('scope', 'openid profile');
    const dup = await fetch(`${t.issuer}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(callbackParams(new URL(dup.headers.get('location')!, t.issuer).href).get('error')).toBe('invalid_request');
    const json = await fetch(`${t.issuer}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(req.url.searchParams)),
      redirect: 'manual',
    });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('gövdesi form kodlamalı (application/x-www-form-urlencoded) olmalıdır');
    const huge = await fetch(`${t.issuer}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${req.url.searchParams}&login_hint=${'x'.repeat(200_000)}`,
      redirect: 'manual',
    });
    expect(huge.status).toBe(413);
  });

  it('oidcc-server-client-secret-post: not offered (Kapı takes client_secret_basic or keys); a client_secret_post call is refused', async () => {
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(discovery.token_endpoint_auth_methods_supported).not.toContain('client_secret_post');
    const postRp = await relyingParty(t, metadata, client.ClientSecretPost(String(metadata.client_secret)));
    await expect(client.refreshTokenGrant(postRp, 'not-a-token')).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported: an alg=none request object is refused', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const payload = {
      iss: metadata.client_id,
      aud: t.issuer,
      client_id: metadata.client_id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'ro',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const url = new URL(`${t.issuer}/auth`);
    url.searchParams.set('client_id', String(metadata.client_id));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid');
    url.searchParams.set('request', unsigned);
    const page = await new Browser().go(url.href, {}, atCallback);
    if (atCallback(page.url)) expect(callbackParams(page.url).get('error')).toMatch(/^(invalid_request_object|request_not_supported)$/);
    else expect(page.status).toBe(400);
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported: a foreign request_uri is refused', async () => {
    const url = new URL(`${t.issuer}/auth`);
    url.searchParams.set('client_id', String(metadata.client_id));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid');
    url.searchParams.set('redirect_uri', CALLBACK);
    url.searchParams.set('request_uri', 'https://institution.example/request.jwt');
    const page = await new Browser().go(url.href, {}, atCallback);
    if (atCallback(page.url)) expect(callbackParams(page.url).get('error')).toMatch(/^(request_uri_not_supported|invalid_request_uri|invalid_request)$/);
    else expect(page.status).toBe(400);
    expect(page.html).not.toContain('name="national_id"');
  });

  it('oidcc-claims-essential: an essential claim asked for through the claims parameter is returned', async () => {
    const claims = JSON.stringify({ userinfo: { name: { essential: true } }, id_token: { family_name: { essential: true } } });
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid', claims });
    expect(tokens.claims()!.family_name).toBe('Yılmaz');
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.name).toBe('Ayşe Yılmaz');
  });

  it('oidcc-refresh-token: a refresh gives new tokens for the same person; another institution cannot use it', async () => {
    const { tokens } = await loginAndExchange(rp, ayse, { scope: 'openid profile offline_access', prompt: 'consent' });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub);
    expect(refreshed.claims()!.iss).toBe(t.issuer);
    const other = await relyingParty(t, await registerInstitution(t, { name: 'Başka Kurum', scopes: ALL_SCOPES as never }));
    await expect(client.refreshTokenGrant(other, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds: S256 PKCE works; a wrong verifier is refused', async () => {
    const req = await authRequest(rp);
    const page = await loginPage(new Browser(), req.url.href, ayse);
    await expect(
      client.authorizationCodeGrant(rp, new URL(page.url), {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: req.state,
        expectedNonce: req.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const req2 = await authRequest(rp);
    const page2 = await loginPage(new Browser(), req2.url.href, ayse);
    expect((await exchange(rp, req2, page2.url)).claims()!.sub).toBeTruthy();
  });
});

describe('conformance: Basic OP, redirect URIs with a query', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  let metadata: Record<string, unknown>;
  const REGISTERED = 'https://institution.example/cb?foo=bar';

  beforeAll(async () => {
    t = await startKapi();
    metadata = await registerInstitution(t, { redirectUris: [REGISTERED] });
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => t?.stop());

  async function tryRedirect(redirectUri: string) {
    const req = await authRequest(rp, { redirect_uri: redirectUri });
    return new Browser().go(req.url.href, {}, (l) => !l.startsWith(t.issuer));
  }

  it('oidcc-redirect-uri-query-OK: the registered URI with its query works and the query is kept', async () => {
    const req = await authRequest(rp, { redirect_uri: REGISTERED });
    const browser = new Browser();
    let page = await browser.go(req.url.href, {}, (l) => l.startsWith('https://institution.example/'));
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, (l) =>
      l.startsWith('https://institution.example/'),
    );
    if (!page.url.startsWith('https://institution.example/'))
      page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, (l) => l.startsWith('https://institution.example/'));
    const back = new URL(page.url);
    expect(back.searchParams.get('foo')).toBe('bar');
    expect(back.searchParams.get('code')).toBeTruthy();
    // openid-client drops the whole query when it derives redirect_uri from the callback URL, so the
    // token request is sent by hand with the registered URI, exactly as the suite's module does.
    const res = await fetch(`${t.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(String(metadata.client_id))}:${encodeURIComponent(String(metadata.client_secret))}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        redirect_uri: REGISTERED,
        code_verifier: req.verifier,
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id_token?: string }).id_token).toBeTruthy();
  });

  it('oidcc-redirect-uri-query-mismatch: another query value is refused with an error page', async () => {
    const page = await tryRedirect('https://institution.example/cb?foo=zot');
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
  });

  it('oidcc-redirect-uri-query-added: an added query parameter is refused with an error page', async () => {
    const page = await tryRedirect('https://institution.example/cb?foo=bar&other=1');
    expect(page.url.startsWith(t.issuer)).toBe(true);
    expect(page.status).toBe(400);
  });
});
