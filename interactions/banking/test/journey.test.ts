import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, decode, type Page } from '../../../test/support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../../../test/support/institution.js';
import { BANK_A, BANK_B, atBank, bankJourney, bankLink, startBankWorld, toBank, toBankChooser, type BankWorld } from './support.js';

// Institution (openid-client) → Kapı → demo bank (oidc-provider) → Kapı → institution, over HTTP,
// with two banks configured at once: Alfa (private_key_jwt) and Beta (client_secret_post).

jest.setTimeout(90_000);

const AYSE = { login: '4000146', password: 'Demo-Banka-146', nationalId: '10000000146' };
const CAGLA = { login: '4000018', password: 'Demo-Banka-018', nationalId: '10090908018' }; // in the registry, no account
const ISMAIL = { login: '4000046', password: 'Demo-Banka-046', nationalId: '23654859046' }; // password only at the bank

/** Signs in with the Kapı password (picking it on the chooser when there is one). */
async function passwordLogin(browser: Browser, start: string, nationalId: string, password: string): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
  page = await browser.submit(page, { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return page;
}

describe('online banking: the whole journey', () => {
  let w: BankWorld;
  let rp: client.Configuration;

  beforeAll(async () => {
    w = await startBankWorld();
    rp = await relyingParty(w.t, await registerInstitution(w.t));
  });
  afterAll(async () => {
    await w?.close();
  });

  it('lists every enabled bank with its name and logo, and only those', async () => {
    const req = await authRequest(rp);
    const chooser = await toBankChooser(new Browser(), req.url.href);
    expect(chooser.status).toBe(200);
    for (const name of ['Alfa Bank', 'Beta Bank', 'Kapalı Bank', 'Yavaş Bank']) expect(chooser.html).toContain(name);
    expect(chooser.html).not.toContain('Kapatılmış Bank');
    expect(chooser.html).toContain(`src="/banking/logo/${BANK_A}"`);
    const logo = await fetch(`${w.t.issuer}/banking/logo/${BANK_A}`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(`${w.t.issuer}/banking/logo/disabled-bank`)).status).toBe(404);
  });

  it("signs in a person with a Kapı account (private_key_jwt bank): acr substantial, amr fed + the bank's; the request carries no personal data", async () => {
    const account = await w.t.kapi.services.accounts.findByNationalId(AYSE.nationalId);
    const req = await authRequest(rp);
    const browser = new Browser();
    const { page, authorizationUrl } = await bankJourney(browser, req.url.href, BANK_A, w.bankA.issuer, AYSE.login, AYSE.password);
    expect(atCallback(page.url)).toBe(true);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    expect(claims.national_id).toBe(AYSE.nationalId);
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['fed', 'pwd', 'otp', 'mfa']);

    // What Kapı sent the browser to, and what the bank received: protocol values only.
    const sent = new URL(authorizationUrl);
    const received = w.bankA.authorizationRequests.at(-1)!;
    expect(received.get('state')).toBe(sent.searchParams.get('state'));
    for (const params of [sent.searchParams, received]) {
      expect([...params.keys()].sort()).toEqual([
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'nonce',
        'prompt',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ]);
      const all = [...params.values()].join(' ');
      for (const personal of [AYSE.nationalId, 'Ayşe', 'Ay%C5%9Fe', 'Yılmaz', account!.id, String(account!.email), '+905321112233', AYSE.login])
        expect(all).not.toContain(personal);
      expect(params.get('scope')).toBe('openid tckn');
      expect(params.get('redirect_uri')).toBe(`${w.t.issuer}/banking/callback`);
    }
  });

  it('makes a registry person who never used Kapı a user (client_secret_post bank), keeping only a hashed link', async () => {
    const { db, accounts } = w.t.kapi.services;
    expect(await accounts.findByNationalId(CAGLA.nationalId)).toBeUndefined();
    const req = await authRequest(rp);
    const { page } = await bankJourney(new Browser(), req.url.href, BANK_B, w.bankB.issuer, CAGLA.login, CAGLA.password);
    expect(atCallback(page.url)).toBe(true);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    expect(claims.national_id).toBe(CAGLA.nationalId);
    expect(claims.family_name).toBe('Şahin');
    expect(claims.acr).toBe('substantial');
    const account = await accounts.findByNationalId(CAGLA.nationalId);
    expect(account).toBeDefined();
    const links = (await db('bank_links').where({ account_id: account!.id })) as Record<string, unknown>[];
    expect(links).toHaveLength(1);
    expect(links[0]!.bank_id).toBe(BANK_B);
    expect(Object.keys(links[0]!).sort()).toEqual(['account_id', 'bank_id', 'last_used_at', 'linked_at', 'subject_hash']);
    expect(String(links[0]!.subject_hash)).not.toContain(CAGLA.login); // the bank's sub is cust-4000018
    const created = await db('audit_events').where({ type: 'account.created', account_id: account!.id });
    expect(created).toHaveLength(1);
    const linked = (await db('audit_events').where({ type: 'banking.linked', account_id: account!.id })) as { detail: unknown }[];
    expect(linked).toHaveLength(1);
    expect(JSON.stringify(linked[0]!.detail)).toContain(BANK_B);
  });

  it('gives acr low when the bank proved only a password', async () => {
    const req = await authRequest(rp);
    const { page } = await bankJourney(new Browser(), req.url.href, BANK_A, w.bankA.issuer, ISMAIL.login, ISMAIL.password);
    const claims = (await exchange(rp, req, page.url)).claims()!;
    expect(claims.acr).toBe('low');
    expect(claims.amr).toEqual(['fed', 'pwd']);
  });

  it("follows the bank's key rotation between two logins", async () => {
    const first = await authRequest(rp);
    const one = await bankJourney(new Browser(), first.url.href, BANK_A, w.bankA.issuer, AYSE.login, AYSE.password);
    expect((await exchange(rp, first, one.page.url)).claims()!.acr).toBe('substantial');
    const before = w.bankA.currentKid();
    const after = await w.bankA.rotateKeys();
    expect(after).not.toBe(before);
    const jwks = (await (await fetch(`${w.bankA.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([after]); // the old key is gone at once
    const second = await authRequest(rp);
    const two = await bankJourney(new Browser(), second.url.href, BANK_A, w.bankA.issuer, AYSE.login, AYSE.password);
    expect(atCallback(two.page.url)).toBe(true);
    expect((await personClaims(rp, await exchange(rp, second, two.page.url))).national_id).toBe(AYSE.nationalId);
  });

  it('refuses a person who closed bank login, after the bank answers a first sign-in, with how to open it again', async () => {
    const { db } = w.t.kapi.services;
    await db('accounts').where({ national_id: '12345678950' }).update({ bank_login_enabled: false });
    const req = await authRequest(rp);
    const { page } = await bankJourney(new Browser(), req.url.href, BANK_B, w.bankB.issuer, '4000950', 'Demo-Banka-950');
    expect(atCallback(page.url)).toBe(false);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Erişim kısıtlamaları');
    expect(page.html).not.toContain('/banking/beta-bank?'); // no bank links on the refusal
  });

  it('refuses a known person who closed bank login before any redirect to a bank (step-up)', async () => {
    const { db } = w.t.kapi.services;
    await db('accounts').where({ national_id: '34567891238' }).update({ bank_login_enabled: false });
    const browser = new Browser();
    const low = await authRequest(rp);
    const signedIn = await passwordLogin(browser, low.url.href, '34567891238', 'Mavi-Kart-Sahibi-68');
    expect(atCallback(signedIn.url)).toBe(true);
    const requestsBefore = w.bankA.authorizationRequests.length + w.bankB.authorizationRequests.length;
    const high = await authRequest(rp, { acr_values: 'substantial', ui_locales: 'en' });
    let page = await browser.go(high.url.href, {}, atCallback);
    if (page.html.includes('data-method="banking"')) page = await browser.submit(page, {}, { name: 'method', value: 'banking' }, atCallback);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Access restrictions');
    expect(page.html).not.toMatch(/\/banking\/[a-z-]+\?_csrf/);
    expect(w.bankA.authorizationRequests.length + w.bankB.authorizationRequests.length).toBe(requestsBefore);
  });

  it('says so when the person cancels at the bank', async () => {
    const req = await authRequest(rp);
    const browser = new Browser();
    const chooser = await toBankChooser(browser, req.url.href);
    const { page: bankPage } = await toBank(browser, chooser, BANK_A, w.bankA.issuer);
    const page = await atBank(browser, bankPage, '', '', { action: 'cancel' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('Bankanızda girişi iptal ettiniz');
    expect(bankLink(page, BANK_A)).toContain('/banking/alfa-bank?'); // and the person can try again
    // ... or choose another method.
    const other = /href="([^"]*\/banking-other\?[^"]*)"/.exec(page.html)![1]!;
    const chooser2 = await browser.go(new URL(decode(other), page.url).href, {}, atCallback);
    expect(chooser2.status).toBe(200);
    expect(chooser2.html).toContain('data-method-form="password"');
    expect(chooser2.html).toContain('data-method="banking"');
  });
});
