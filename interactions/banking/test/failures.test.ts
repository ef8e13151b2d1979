import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../../../test/support/browser.js';
import { deriveKey, hmac } from '../../../src/security/crypto.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { BANK_A, BANK_B, BANK_DOWN, BANK_SLOW, atBank, bankJourney, bankLink, startBankWorld, toBank, toBankChooser, type BankWorld } from './support.js';

// Every way a bank login can fail gets its own clear page with a fitting status, and nobody is
// signed in. All with real parts: the demo banks, a proxy that spoils the bank's token answer or lets
// it hang, an issuer nobody listens on.

jest.setTimeout(90_000);

describe('online banking: failures', () => {
  let w: BankWorld;
  let rp: client.Configuration;
  const callback = () => (location: string) => location.startsWith(`${w.t.issuer}/banking/callback`);

  beforeAll(async () => {
    w = await startBankWorld();
    rp = await relyingParty(w.t, await registerInstitution(w.t));
  });
  afterAll(async () => {
    await w?.close();
  });

  async function failedLogin(bankId: string, issuer: string, login: string, password: string) {
    const req = await authRequest(rp, { ui_locales: 'en' });
    const { page } = await bankJourney(new Browser(), req.url.href, bankId, issuer, login, password);
    expect(atCallback(page.url)).toBe(false);
    return page;
  }

  it('a bank without the national ID claim for its customer', async () => {
    const page = await failedLogin(BANK_A, w.bankA.issuer, '4000999', 'Demo-Banka-999');
    expect(page.status).toBe(502);
    expect(page.html).toContain('Your bank did not send your identity number');
  });

  it('a malformed national ID from the bank', async () => {
    const page = await failedLogin(BANK_A, w.bankA.issuer, '4000901', 'Demo-Banka-901');
    expect(page.status).toBe(502);
    expect(page.html).toContain('The identity number your bank sent is not valid');
    expect(await w.t.kapi.services.accounts.findByNationalId('12345678901')).toBeUndefined();
  });

  it('a number the population registry does not know', async () => {
    const page = await failedLogin(BANK_B, w.bankB.issuer, '4000550', 'Demo-Banka-550');
    expect(page.status).toBe(403);
    expect(page.html).toContain('No population record was found');
    expect(await w.t.kapi.services.accounts.findByNationalId('50505050550')).toBeUndefined();
  });

  it('a bank that cannot be reached (nobody listens): refused before any redirect', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const page = await browser.go(bankLink(chooser, BANK_DOWN));
    expect(page.status).toBe(504);
    expect(page.html).toContain('Your bank cannot be reached right now');
  });

  it('a bank that does not answer in time (discovery hangs)', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const started = Date.now();
    const page = await browser.go(bankLink(chooser, BANK_SLOW));
    expect(page.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5000); // the bank's 1 s timeout, not a hung page
    expect(page.html).toContain('did not answer in time');
  });

  it('a token endpoint that does not answer in time', async () => {
    w.proxyB.mode = 'hang-token';
    try {
      const page = await failedLogin(BANK_B, w.bankB.issuer, '4000146', 'Demo-Banka-146');
      expect(page.status).toBe(504);
      expect(page.html).toContain('Your bank cannot be reached right now');
    } finally {
      w.proxyB.mode = 'pass';
    }
  });

  it('an ID token with a bad signature', async () => {
    w.proxyB.mode = 'bad-signature';
    try {
      const page = await failedLogin(BANK_B, w.bankB.issuer, '4000146', 'Demo-Banka-146');
      expect(page.status).toBe(400);
      expect(page.html).toContain('The answer from the bank could not be verified');
    } finally {
      w.proxyB.mode = 'pass';
    }
  });

  it('a wrong nonce (the bank signed a token for another request)', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const sent = await browser.go(bankLink(chooser, BANK_A), {}, (location) => location.startsWith(`${w.bankA.issuer}/auth`));
    const forged = new URL(sent.url);
    forged.searchParams.set('nonce', 'a-nonce-kapi-never-made');
    const bankPage = await browser.go(forged.href);
    const page = await atBank(browser, bankPage, '4000146', 'Demo-Banka-146');
    expect(page.status).toBe(400);
    expect(page.html).toContain('The answer from the bank could not be verified');
  });

  it('a wrong state: the answer is not filed and nobody is signed in', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const { page: bankPage } = await toBank(browser, chooser, BANK_A, w.bankA.issuer);
    const atKapi = await atBank(browser, bankPage, '4000146', 'Demo-Banka-146', { stopAt: callback() });
    const forged = new URL(atKapi.url);
    forged.searchParams.set('state', 'not-the-state-kapi-sent');
    const page = await browser.go(forged.href, {}, atCallback);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Bankadan gelen bu yanıt geçersiz');
  });

  it('a replayed answer (the same callback twice)', async () => {
    const browser = new Browser();
    const req = await authRequest(rp);
    const chooser = await toBankChooser(browser, req.url.href);
    const { page: bankPage } = await toBank(browser, chooser, BANK_A, w.bankA.issuer);
    const atKapi = await atBank(browser, bankPage, '4000146', 'Demo-Banka-146', { stopAt: callback() });
    let first = await browser.go(atKapi.url, {}, atCallback);
    if (first.html.includes('name="decision"')) first = await browser.submit(first, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(first.url)).toBe(true);
    const replay = await browser.go(atKapi.url, {}, atCallback);
    expect(replay.status).toBe(400);
    expect(atCallback(replay.url)).toBe(false);
    // Also from another browser (an attacker holding the URL).
    const other = await new Browser().go(atKapi.url, {}, atCallback);
    expect(other.status).toBe(400);
  });

  it('an error answer from the bank', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const sent = await browser.go(bankLink(chooser, BANK_A), {}, (location) => location.startsWith(`${w.bankA.issuer}/auth`));
    const state = new URL(sent.url).searchParams.get('state')!;
    // What the browser brings back from a bank that failed (RFC 6749 §4.1.2.1).
    const page = await browser.go(
      `${w.t.issuer}/banking/callback?error=temporarily_unavailable&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(w.bankA.issuer)}`,
      {},
      atCallback,
    );
    expect(page.status).toBe(502);
    expect(page.html).toContain('Your bank could not complete the sign-in');
  });

  it("a bank link without the flow's CSRF token is refused", async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp)).url.href);
    const link = new URL(bankLink(chooser, BANK_A));
    link.searchParams.set('_csrf', 'forged');
    const before = w.bankA.authorizationRequests.length;
    const page = await browser.go(link.href);
    expect(page.status).toBe(403);
    expect(w.bankA.authorizationRequests.length).toBe(before);
  });

  it('an unknown bank id', async () => {
    const browser = new Browser();
    const chooser = await toBankChooser(browser, (await authRequest(rp, { ui_locales: 'en' })).url.href);
    const page = await browser.go(bankLink(chooser, BANK_A).replace('/banking/alfa-bank?', '/banking/disabled-bank?'));
    expect(page.status).toBe(400);
    expect(page.html).toContain('cannot be used for online-banking sign-in');
  });

  it('a bank subject that now names another person than before', async () => {
    const { db, accounts } = w.t.kapi.services;
    const ayse = await accounts.findByNationalId('10000000146');
    // As if Alfa's customer cust-4000950 had signed in as Ayşe before.
    await db('bank_links').insert({
      bank_id: BANK_A,
      subject_hash: hmac(deriveKey(w.t.kapi.config.masterKey, 'bank-subject'), `${BANK_A}\u0000cust-4000950`),
      account_id: ayse!.id,
    });
    const page = await failedLogin(BANK_A, w.bankA.issuer, '4000950', 'Demo-Banka-950');
    expect(page.status).toBe(400);
    expect(page.html).toContain('does not match what it said about this customer before');
  });

  it('records failed attempts without personal data from the bank', async () => {
    const rows = (await w.t.kapi.services.db('sign_ins').where({ method: 'banking' }).whereNot({ result: 'success' })) as { result: string }[];
    const results = new Set(rows.map((r) => r.result));
    for (const r of ['bank_id_missing', 'bank_id_malformed', 'bank_not_in_registry', 'bank_unreachable', 'bank_invalid_answer', 'bank_bank_error'])
      expect(results).toContain(r);
  });
});
