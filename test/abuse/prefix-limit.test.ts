import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, type AuthRequest, personClaims } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { ayse } from './support.js';

// Credential stuffing spread over many addresses and one block of identity numbers (same first 7 digits,
// e.g. one registry range): every number is tried once from its own address, so neither the per-number
// nor the per-IP limit fires. The per-block limit slows the whole block, leaves other blocks alone, and,
// like every guess limit, never touches the strong methods.

/** Valid numbers nobody holds, in Ayşe's block (1000000…). */
const BLOCK = ['10000000078', '10000000214', '10000000382', '10000000450', '10000000528', '10000000696'];
const gulsen = DEMO_CITIZENS[2]; // 34567891238: another block

describe('abuse: distributed guessing over one block of identity numbers', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    // One trusted proxy hop, so X-Forwarded-For stands for the many client addresses of a botnet. The
    // other limits keep their defaults (3 failures per number before a delay, 100 per IP): one guess per
    // number and per address stays under both. The block's wait is long here so that no slow test run
    // can outlast it; the default is 30 s.
    t = await startKapi({ env: { ...pki.env, KAPI_TRUST_PROXY_HOPS: '1' }, guessLimits: { prefixLimit: 4, prefixDelaySeconds: 600 } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  /** One password attempt on the hosted form, from `ip` as the proxy reports it. */
  async function attempt(
    nationalId: string,
    password: string,
    ip: string,
    params: Record<string, string> = {},
  ): Promise<Page & { browser: Browser; req: AuthRequest }> {
    const browser = new Browser();
    const req = await authRequest(rp, params);
    const start = await browser.go(req.url.href, {}, atCallback);
    let page = start;
    if (!page.html.includes('name="national_id"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    const action = /<form[^>]*action="([^"]*continue[^"]*)"/.exec(page.html)?.[1];
    const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(page.html)?.[1];
    if (!action || !csrf) throw new Error(`no password form: ${page.status} ${page.url}`);
    const res = await browser.request(new URL(action.replace(/&amp;/g, '&'), page.url).href, {
      form: { _csrf: csrf, national_id: nationalId, password, submit: 'login' },
      headers: { 'x-forwarded-for': ip },
    });
    const location = res.headers.get('location');
    return { url: location ? new URL(location, page.url).href : page.url, status: res.status, html: await res.text(), browser, req };
  }

  it('slows every number of the block once failures spread over it pass the limit, whatever the address', async () => {
    const statuses: number[] = [];
    for (const [i, nationalId] of BLOCK.entries()) statuses.push((await attempt(nationalId, 'Yaz2024!', `198.51.100.${10 + i}`)).status);
    // Four wrong passwords are answered as such; from then on the block waits.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);

    // A number of the block nobody tried, with the right password, from yet another address: it waits too.
    const slowed = await attempt(ayse.nationalId, ayse.password, '192.0.2.44');
    expect(slowed.status).toBe(429);
    expect(slowed.html).toMatch(/\d+ saniye sonra yeniden deneyin/);
    const english = await attempt(ayse.nationalId, ayse.password, '192.0.2.45', { ui_locales: 'en' });
    expect(english.status).toBe(429);
    expect(english.html).toMatch(/Try again in \d+ seconds/);
  });

  it('leaves a number of another block alone, even from an address that took part in the spray', async () => {
    const posted = await attempt(gulsen.nationalId, gulsen.password, '198.51.100.10');
    expect(posted.status).not.toBe(429);
    expect(posted.html).not.toMatch(/saniye sonra yeniden deneyin/);
    // The password was accepted: the flow goes on to consent and the institution gets her identity.
    let page: Page = atCallback(posted.url) ? posted : await posted.browser.go(posted.url, {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"'))
      page = await posted.browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const claims = await personClaims(rp, await exchange(rp, posted.req, page.url));
    expect(claims.national_id).toBe(gulsen.nationalId);
    expect(claims.acr).toBe('low');
  });

  it('never touches the strong methods: a citizen of the slowed block signs in with e-signature at high', async () => {
    expect((await attempt(ayse.nationalId, ayse.password, '192.0.2.46')).status).toBe(429); // still slowed
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
  });

  it('records the refused attempts without the typed numbers in clear', async () => {
    const rows = await t.kapi.services.db('sign_ins').where({ result: 'rate_limited' });
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const dump = JSON.stringify(rows);
    for (const n of [...BLOCK, ayse.nationalId]) expect(dump).not.toContain(n);
  });
});
