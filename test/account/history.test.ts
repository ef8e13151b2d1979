import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import * as client from 'openid-client';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { AYSE, csrfOf, GULSEN, institutionSignIn, openWithPassword } from './security-support.js';

jest.setTimeout(60_000);

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

describe('login history and the institutions that received data', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  let institution: Record<string, unknown>;
  let accountId: string;

  beforeAll(async () => {
    t = await startKapi();
    institution = await registerInstitution(t, { name: 'Vergi Dairesi' });
    rp = await relyingParty(t, institution);
    accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists every sign-in to Kapı and to institutions, newest first, with method, level, result, IP and a readable device', async () => {
    const phone = new Browser(SAFARI_IPHONE);
    // A failed attempt, then a sign-in at the institution (with consent and a token exchange).
    const req = await authRequest(rp);
    let page = await phone.go(req.url.href, {}, atCallback);
    if (page.html.includes('data-method="password"')) page = await phone.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    page = await phone.submit(page, { national_id: AYSE.nationalId, password: 'Yanlis-Sifre-123' }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.status).toBe(401);
    page = await phone.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    if (!atCallback(page.url)) page = await phone.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    await exchange(rp, req, page.url);

    const desktop = new Browser(CHROME_WINDOWS);
    const history = await openWithPassword(t, desktop, '/account/history');
    expect(history.url).toBe(`${t.issuer}/account/history`);
    const entries = [...history.html.matchAll(/<li class="history-entry" data-id="(\d+)" data-result="([a-z_]+)">([\s\S]*?)<\/li>/g)];
    expect(entries.length).toBe(3);
    const [account, institutionEntry, failed] = entries.map((e) => ({ id: Number(e[1]), result: e[2], html: e[3]! }));
    expect(account!.id).toBeGreaterThan(institutionEntry!.id); // newest first
    expect(account!.html).toContain('Kapı – Hesabım');
    expect(account!.html).toContain('Chrome 120 · Windows');
    expect(institutionEntry!.result).toBe('success');
    expect(institutionEntry!.html).toContain('Vergi Dairesi');
    expect(institutionEntry!.html).toContain('T.C. kimlik numarası ve şifre');
    expect(institutionEntry!.html).toContain('düşük');
    expect(institutionEntry!.html).toContain('127.0.0.1');
    expect(institutionEntry!.html).toContain('Safari 17 · iOS 17');
    expect(failed!.result).toBe('invalid_credentials');
    expect(failed!.html).toContain('şifre hatalı');
    // Only the person's own: Gülşen sees none of Ayşe's.
    const other = await openWithPassword(t, new Browser(), '/account/history', GULSEN);
    expect(other.html).not.toContain('Vergi Dairesi');
    expect([...other.html.matchAll(/class="history-entry"/g)].length).toBe(1);
  });

  it('pages through a long history without repeats; a malformed cursor is a 400 in the person’s language', async () => {
    for (let i = 0; i < 45; i++)
      await t.kapi.services.audit.signIn({
        accountId,
        clientId: 'kapi-account',
        method: 'password',
        acr: 'low',
        result: 'success',
        ip: `10.0.0.${i}`,
        userAgent: CHROME_WINDOWS,
      });
    const browser = new Browser();
    let page = await openWithPassword(t, browser, '/account/history');
    const seen: number[] = [];
    for (let hops = 0; hops < 10; hops++) {
      const ids = [...page.html.matchAll(/data-id="(\d+)"/g)].map((m) => Number(m[1]));
      expect(ids.length).toBeLessThanOrEqual(20);
      seen.push(...ids);
      const older = /id="history-older" href="([^"]+)"/.exec(page.html);
      if (!older) break;
      page = await browser.go(`${t.issuer}${older[1]!.replace(/&amp;/g, '&')}`);
      expect(page.html).toContain('id="history-newest"');
    }
    const total = (await t.kapi.services.db('sign_ins').where({ account_id: accountId }).count<{ count: string }[]>('* as count'))[0]!.count;
    expect(seen.length).toBe(Number(total));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    for (const bad of ['abc', '-1', '0', '1'.repeat(30), "1' or 1=1"]) {
      const res = await browser.request(`${t.issuer}/account/history?before=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
    }
    const english = await browser.request(`${t.issuer}/account/history?before=x&lang=en`);
    expect(await english.text()).toContain('The request is not valid.');
  });

  it('shows which institution received which claims and when; withdrawing consent makes the next sign-in ask again and ends its tokens', async () => {
    const browser = new Browser(CHROME_WINDOWS);
    // Sign in at the institution with offline access (a refresh token that outlives the session).
    const req = await authRequest(rp, { scope: 'openid profile national_id offline_access', prompt: 'consent' });
    const back = await institutionSignIn(browser, req.url.href);
    expect(atCallback(back.url)).toBe(true);
    const tokens = await exchange(rp, req, back.url);
    expect(tokens.refresh_token).toBeDefined();
    // The institution reads the person's claims from userinfo (the ID token carries none of them).
    await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);

    const page = await openWithPassword(t, browser, '/account/history/institutions');
    const section = new RegExp(`<section class="institution"[^>]*data-client-id="${institution.client_id as string}">([\\s\\S]*?)</section>`).exec(page.html);
    expect(section).not.toBeNull();
    expect(section![1]).toContain('Vergi Dairesi');
    expect(section![1]).toContain('T.C. kimlik numarası');
    expect(section![1]).toContain('Ad soyad');
    expect(section![1]).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    expect(page.html).not.toContain('data-client-id="kapi-account"'); // Kapı itself is not an institution

    // Same browser, same Kapı session: without the withdrawal no consent screen would be shown.
    const before = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    expect(atCallback(before.url)).toBe(true);

    const done = await browser.submit(page, {}, { name: 'withdraw', value: institution.client_id as string });
    expect(done.url).toBe(`${t.issuer}/account/history/institutions?withdrawn=${encodeURIComponent(institution.client_id as string)}`);
    expect(done.html).toContain('Vergi Dairesi için izniniz geri alındı');
    expect(await t.kapi.services.consents.find(accountId, institution.client_id as string)).toBeUndefined();
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'consent.withdrawn' })).toHaveLength(1);

    // The refresh token no longer works.
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toThrow();
    // The next sign-in there, in the same browser session, asks for consent again.
    const next = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    expect(atCallback(next.url)).toBe(false);
    expect(next.html).toContain('name="decision"');
    expect(next.html).toContain('Vergi Dairesi');
    // And in a new browser too.
    const fresh = new Browser();
    let other = await fresh.go((await authRequest(rp)).url.href, {}, atCallback);
    if (other.html.includes('data-method="password"')) other = await fresh.submit(other, {}, { name: 'method', value: 'password' }, atCallback);
    other = await fresh.submit(other, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(other.html).toContain('name="decision"');
  });

  it('refuses to withdraw what is not there (404), a form without CSRF (403) and a missing institution (400)', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/history/institutions');
    const csrf = csrfOf(page);
    // Gülşen's consent for another institution cannot be withdrawn from Ayşe's session.
    const other = await registerInstitution(t, { name: 'Başka Kurum' });
    await t.kapi.services.consents.remember({
      accountId: (await t.kapi.services.accounts.findByNationalId(GULSEN.nationalId))!.id,
      clientId: other.client_id as string,
      scopes: ['openid'],
      claims: [],
    });
    const notMine = await browser.request(`${t.issuer}/account/history/institutions/withdraw`, { form: { _csrf: csrf, client_id: other.client_id as string } });
    expect(notMine.status).toBe(404);
    expect((await browser.request(`${t.issuer}/account/history/institutions/withdraw`, { form: { _csrf: csrf, client_id: 'no-such-client' } })).status).toBe(
      404,
    );
    expect((await browser.request(`${t.issuer}/account/history/institutions/withdraw`, { form: { _csrf: csrf } })).status).toBe(400);
    expect((await browser.request(`${t.issuer}/account/history/institutions/withdraw`, { form: { client_id: other.client_id as string } })).status).toBe(403);
    expect(
      await t.kapi.services.consents.find((await t.kapi.services.accounts.findByNationalId(GULSEN.nationalId))!.id, other.client_id as string),
    ).toBeDefined();
  });

  it('lists a consent under which nothing was received yet, and withdraws it', async () => {
    const pending = await registerInstitution(t, { name: 'Henüz Veri Almamış Kurum' });
    await t.kapi.services.consents.remember({ accountId, clientId: pending.client_id as string, scopes: ['openid', 'profile'], claims: [] });
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/history/institutions');
    const section = new RegExp(`data-client-id="${pending.client_id as string}">([\\s\\S]*?)</section>`).exec(page.html);
    expect(section![1]).toContain('data-field="nothing-received"');
    expect(section![1]).toContain('Doğum tarihi');
    const done = await browser.submit(page, {}, { name: 'withdraw', value: pending.client_id as string });
    expect(done.html).toContain('Henüz Veri Almamış Kurum için izniniz geri alındı');
    expect(done.html).not.toContain(`data-client-id="${pending.client_id as string}"`);
    expect(await t.kapi.services.consents.find(accountId, pending.client_id as string)).toBeUndefined();
  });
});
