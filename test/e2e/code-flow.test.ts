import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, CALLBACK, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];

describe('authorization code + PKCE with password login', () => {
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let rp: client.Configuration;

  beforeAll(async () => {
    t = await startKapi();
    metadata = await registerInstitution(t);
    rp = await relyingParty(t, metadata);
  });
  afterAll(async () => t?.stop());

  it('signs a citizen in and returns acr, amr, auth_time and the allowed claims', async () => {
    const browser = new Browser();
    const req = await authRequest(rp, { scope: 'openid profile national_id offline_access', prompt: 'consent' });
    const page = await signIn(browser, req.url.href, ayse.nationalId, ayse.password);
    expect(atCallback(page.url)).toBe(true);
    expect(new URL(page.url).searchParams.get('iss')).toBe(t.issuer);

    const tokens = await exchange(rp, req, page.url);
    const claims = tokens.claims()!;
    expect(claims.acr).toBe('low');
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.auth_time).toBe('number');
    // An access token was issued: the scope claims come from userinfo (OpenID Connect Core §5.4).
    expect(claims.national_id).toBeUndefined();
    expect(claims.name).toBeUndefined();
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    expect(claims.sub).not.toBe(account!.id); // pairwise

    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(userinfo.national_id).toBe(ayse.nationalId);
    expect(userinfo.national_id_type).toBe('citizen');
    expect(userinfo.name).toBe('Ayşe Yılmaz');

    const introspection = await client.tokenIntrospection(rp, tokens.access_token);
    expect(introspection.active).toBe(true);
    expect(introspection.acr).toBe('low');
    expect(introspection.amr).toEqual(['pwd']);

    // Refresh tokens rotate for a client that is not sender-constrained: the old one is single use.
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.acr).toBe('low');
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    await client.tokenRevocation(rp, refreshed.access_token);
    expect((await client.tokenIntrospection(rp, refreshed.access_token)).active).toBe(false);

    const releases = await t.kapi.services.db('claim_releases').where({ account_id: account!.id, client_id: metadata.client_id });
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.flatMap((r: { claims: string[] }) => r.claims)).toContain('national_id');
    const signIns = await t.kapi.services.db('sign_ins').where({ account_id: account!.id, result: 'success' });
    expect(signIns.length).toBeGreaterThan(0);
  });

  it('remembers consent per institution across sessions', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const page = await signIn(browser, req.url.href, ayse.nationalId, ayse.password, {});
    expect(atCallback(page.url)).toBe(true);
    const second = new Browser(); // a new session: no consent page this time
    const req2 = await authRequest(rp);
    let p = await second.go(req2.url.href, {}, atCallback);
    p = await second.submit(p, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(atCallback(p.url)).toBe(true);
    expect((await exchange(rp, req2, p.url)).claims()?.acr).toBe('low');
  });

  it('does not release national_id to an institution not registered for it', async () => {
    const other = await registerInstitution(t, { name: 'Kütüphane', scopes: ['openid', 'profile'] });
    const otherRp = await relyingParty(t, other);
    const req = await authRequest(otherRp, { scope: 'openid profile' });
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    const tokens = await exchange(otherRp, req, page.url);
    const claims = tokens.claims()!;
    const userinfo = await client.fetchUserInfo(otherRp, tokens.access_token, claims.sub);
    expect(claims.national_id).toBeUndefined();
    expect(userinfo.national_id).toBeUndefined();
    expect(userinfo.given_name).toBe('Ayşe');
    // Another institution sees another pairwise subject.
    const firstReq = await authRequest(rp);
    const firstPage = await signIn(new Browser(), firstReq.url.href, ayse.nationalId, ayse.password);
    expect((await exchange(rp, firstReq, firstPage.url)).claims()!.sub).not.toBe(claims.sub);

    const asked = await authRequest(otherRp, { scope: 'openid national_id' });
    const refused = await new Browser().go(asked.url.href, {}, atCallback);
    // The scope is not allowed for this client: oidc-provider drops or refuses it, never releases it.
    if (atCallback(refused.url)) expect(new URL(refused.url).searchParams.get('error')).toBe('invalid_scope');
    else expect(refused.html).not.toContain('national_id');
  });

  it('refuses a request without PKCE', async () => {
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: CALLBACK, scope: 'openid', state: 'x' });
    const res = await new Browser().go(url.href, {}, atCallback);
    expect(new URL(res.url).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(res.url).searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const req = await authRequest(rp, { redirect_uri: 'https://evil.example/cb' });
    const res = await new Browser().go(req.url.href, {}, (l) => l.startsWith('https://evil.example'));
    expect(res.url).not.toMatch(/^https:\/\/evil\.example/);
    expect(res.status).toBe(400);
    expect(res.html).toContain('lang="tr"');
  });

  it('answers a replayed code with invalid_grant and revokes what the code issued', async () => {
    const req = await authRequest(rp);
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    const tokens = await exchange(rp, req, page.url);
    await expect(exchange(rp, req, page.url)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
  });

  it('redeems a code exactly once under concurrent requests', async () => {
    const req = await authRequest(rp);
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => exchange(rp, req, page.url)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('redeems a rotated refresh token exactly once under concurrent requests', async () => {
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(rp, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => client.refreshTokenGrant(rp, tokens.refresh_token!)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('answers an oversized or malformed form with a clear 4xx page, never a 500', async () => {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    const action = new URL(/action="([^"]+)"/.exec(form.html)![1]!, form.url).href;
    const huge = await browser.go(action, { form: { national_id: '1'.repeat(40_000), password: 'x' } }, atCallback);
    expect(huge.status).toBe(413);
    expect(huge.html).toContain('İstek geçersiz.');
  });

  it('shows a wrong password and an invalid identity number on the page, in Turkish, without saying which was wrong', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const form = await browser.go(req.url.href, {}, atCallback);
    const wrong = await browser.submit(form, { national_id: ayse.nationalId, password: 'not-the-password' }, { name: 'submit', value: 'login' }, atCallback);
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Kimlik numarası veya şifre hatalı.');
    const unknown = await browser.submit(form, { national_id: '10000000078', password: 'not-the-password' }, { name: 'submit', value: 'login' }, atCallback);
    expect(unknown.status).toBe(401);
    expect(unknown.html).toContain('Kimlik numarası veya şifre hatalı.');
    const invalid = await browser.submit(form, { national_id: '12345678901', password: 'x' }, { name: 'submit', value: 'login' }, atCallback);
    expect(invalid.status).toBe(400);
    expect(invalid.html).toContain('Geçerli bir 11 haneli kimlik numarası girin.');
    expect(invalid.html).toContain('aria-invalid=true');
  });

  it('refuses a form posted without its CSRF token', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const form = await browser.go(req.url.href, {}, atCallback);
    const action = /action="([^"]+)"/.exec(form.html)![1]!;
    const res = await browser.go(
      new URL(action, form.url).href,
      { form: { national_id: ayse.nationalId, password: ayse.password, _csrf: 'forged' } },
      atCallback,
    );
    expect(res.status).toBe(403);
  });

  it('speaks English when the institution asks with ui_locales', async () => {
    const req = await authRequest(rp, { ui_locales: 'en' });
    const page = await new Browser().go(req.url.href, {}, atCallback);
    expect(page.html).toContain('lang="en"');
    // The chooser (password and passkey), its password form in English.
    expect(page.html).toContain('Choose how to sign in');
    expect(page.html).toContain('Identity number and password');
  });
});
