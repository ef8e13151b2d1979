import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { ayse } from './support.js';

// Brute force and credential stuffing: per account (identity number), per IP, spoofed addresses, and
// the rule that a lock can never be turned against a chosen citizen: it closes only the password
// method for that number; the strong methods still sign the person in.

const VALID_UNKNOWN = ['10000000078', '10000000146', '12345678950', '34567891238', '99234567106', '10090908018'];

describe('abuse: brute force and lockout', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env, guessLimits: { delayAfter: 100, lockAfter: 3, lockSeconds: 600, ipLimit: 8 } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  async function attempt(nationalId: string, password: string, headers: Record<string, string> = {}): Promise<Page> {
    const browser = new Browser();
    const start = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    let page = start;
    if (!page.html.includes('name="national_id"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback).catch(() => start);
    const action = /<form[^>]*action="([^"]*continue[^"]*)"/.exec(page.html)?.[1];
    const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(page.html)?.[1];
    if (!action || !csrf) throw new Error(`no password form: ${page.status} ${page.url}`);
    const res = await browser.request(new URL(action.replace(/&amp;/g, '&'), page.url).href, {
      form: { _csrf: csrf, national_id: nationalId, password, submit: 'login' },
      headers,
    });
    return { url: res.headers.get('location') ?? page.url, status: res.status, html: await res.text() };
  }

  it('per account: the password method closes for a number after repeated failures, even for the right password; then strong methods still work', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(ayse.nationalId, `wrong-${i}`)).status).toBe(401);
    const locked = await attempt(ayse.nationalId, ayse.password);
    expect(locked.status).toBe(429);
    expect(locked.html).toMatch(/\d+ saniye sonra yeniden deneyin/);

    // Denial of service of a chosen citizen is impossible: the account is not locked, the e-signature works.
    const card = await softwareCard(pki.ca, { nationalId: ayse.nationalId, givenName: 'Ayşe', familyName: 'Yılmaz', profile: 'e-signature' });
    const browser = new Browser();
    const req = await authRequest(rp, { acr_values: 'high' });
    const waiting = await startSmartCard(browser, req.url.href, 'e-signature', ayse.nationalId, atCallback);
    expect((await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card)).status).toBe(200);
    let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    expect(claims.acr).toBe('high');
    expect(claims.national_id).toBe(ayse.nationalId);
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    expect(account?.passwordLoginEnabled).toBe(true); // nothing about the account itself was changed
  });

  it('per IP: spraying one password over many numbers blocks the address, also for numbers it never tried', async () => {
    // Three failures from 127.0.0.1 were counted above; the IP limit is 8.
    const statuses: number[] = [];
    for (const nationalId of VALID_UNKNOWN) statuses.push((await attempt(nationalId, 'Yaz2024!')).status);
    expect(statuses).toContain(429);
    const fresh = await attempt('10000000078', 'anything-else');
    expect(fresh.status).toBe(429);
  });

  it('a spoofed X-Forwarded-For does not buy a new budget when no proxy is trusted', async () => {
    const res = await attempt('34567891238', 'still-guessing', { 'x-forwarded-for': '198.51.100.77' });
    expect(res.status).toBe(429);
  });

  it('failed attempts are recorded without the typed number in clear', async () => {
    const rows = await t.kapi.services.db('sign_ins').whereIn('result', ['invalid_credentials', 'rate_limited']);
    expect(rows.length).toBeGreaterThan(5);
    const dump = JSON.stringify(rows);
    for (const n of VALID_UNKNOWN) expect(dump).not.toContain(n);
  });
});
