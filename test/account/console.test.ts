import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';

const ayse = DEMO_CITIZENS[0];

/** Opens an account page; when sent to sign in, signs in with the password and returns where it lands. */
async function openAccount(t: TestKapi, browser: Browser, path = '/account'): Promise<Page> {
  let page = await browser.go(`${t.issuer}${path}`);
  if (page.html.includes('name="national_id"')) {
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
  }
  return page;
}

describe('account pages: sign-in through Kapı itself, the session index, ending sessions', () => {
  let t: TestKapi;
  let backchannel: Server;
  const logoutTokens: string[] = [];
  let backchannelUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    backchannel = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => backchannel.listen(port, '127.0.0.1', resolve));
    backchannelUrl = `http://127.0.0.1:${port}/logout`;
    t = await startKapi();
  });

  afterAll(async () => {
    await t.stop();
    await new Promise((resolve) => backchannel.close(resolve));
  });

  it('sends a visitor without a session to Kapı’s login and back to the page asked for', async () => {
    const browser = new Browser();
    const first = await browser.request(`${t.issuer}/account`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/account/login?next=%2Faccount');
    const page = await openAccount(t, browser);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${t.issuer}/account`);
    expect(page.html).toContain('id="session-methods"');
    expect(page.html).toMatch(/Ayşe|AYŞE/i);
    // No consent screen for Kapı's own client.
    expect(page.html).not.toContain('name="decision"');
  });

  it('records the session with the methods that proved it', async () => {
    const browser = new Browser();
    await openAccount(t, browser);
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    const sessions = await t.kapi.services.sessions.listActive(account!.id);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions[0]!.methods).toEqual(['password']);
    expect(sessions[0]!.acr).toBe('low');
    expect(sessions[0]!.userAgent).toBe('kapi-e2e/1.0');
  });

  it('never redirects to a place outside the account pages after sign-in', async () => {
    const browser = new Browser();
    const res = await browser.request(`${t.issuer}/account/login?next=https://evil.example/`);
    expect(res.status).toBe(302);
    const page = await browser.go(new URL(res.headers.get('location')!, t.issuer).href);
    const done = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
    expect(done.url).toBe(`${t.issuer}/account`);
  });

  it('refuses a callback this browser did not start', async () => {
    const browser = new Browser();
    const page = await browser.go(`${t.issuer}/account/callback?code=x&state=forged`);
    expect(page.status).toBe(400);
  });

  it('refuses the sign-out form without its CSRF token', async () => {
    const browser = new Browser();
    await openAccount(t, browser);
    const res = await browser.request(`${t.issuer}/account/logout`, { form: { _csrf: 'wrong' } });
    expect(res.status).toBe(403);
  });

  it('ending the account’s sessions signs the browser out of the account pages and tells the institutions', async () => {
    const metadata = await registerInstitution(t, { backchannelLogoutUri: backchannelUrl });
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    await openAccount(t, browser);
    // The same browser session also signs in to an institution (single sign-on: no password asked).
    const req = await authRequest(rp);
    const consent = await browser.go(req.url.href, {}, atCallback);
    expect(consent.html).not.toContain('name="national_id"');
    const done = await browser.submit(consent, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(done.url)).toBe(true);

    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    const before = logoutTokens.length;
    const ended = await t.kapi.services.sessions.endForAccount(account!.id, { reason: 'signed_out_everywhere' });
    expect(ended).toBeGreaterThan(0);
    expect(logoutTokens.length).toBeGreaterThan(before);
    const token = decodeJwt(logoutTokens.at(-1)!);
    expect(token.aud).toBe(metadata.client_id);
    expect(token.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);

    const res = await browser.request(`${t.issuer}/account`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain('/account/login');
    expect(await t.kapi.services.sessions.listActive(account!.id)).toEqual([]);
  });

  it('lists single sign-on to an institution in the login history', async () => {
    const metadata = await registerInstitution(t);
    const rp = await relyingParty(t, metadata);
    const browser = new Browser();
    await openAccount(t, browser);
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    const before = await t.kapi.services.audit.signInsOf(account!.id, { limit: 100 });
    // First visit: consent page, then the answer (resume). Second visit: straight answer (authorization).
    const consent = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    expect(atCallback((await browser.submit(consent, {}, { name: 'decision', value: 'allow' }, atCallback)).url)).toBe(true);
    expect(atCallback((await browser.go((await authRequest(rp)).url.href, {}, atCallback)).url)).toBe(true);
    const after = await t.kapi.services.audit.signInsOf(account!.id, { limit: 100 });
    const sso = after.slice(0, after.length - before.length).filter((r) => r.clientId === metadata.client_id);
    expect(sso.map((r) => [r.method, r.result, r.acr])).toEqual([
      ['session', 'success', 'low'],
      ['session', 'success', 'low'],
    ]);
  });

  it('ends only the sessions a given method took part in', async () => {
    const browser = new Browser();
    await openAccount(t, browser);
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    expect(await t.kapi.services.sessions.endForAccount(account!.id, { startedWith: 'e-signature', reason: 'security_setting' })).toBe(0);
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(200);
    expect(await t.kapi.services.sessions.endForAccount(account!.id, { startedWith: 'password', reason: 'password_cancelled' })).toBeGreaterThan(0);
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(302);
  });
});
