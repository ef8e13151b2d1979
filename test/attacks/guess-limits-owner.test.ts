import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { openWithPassword } from '../account/security-support.js';
import { startTestbed, type Testbed } from '../../interactions/mobile-signature/test/support.js';
import { citizen, setTwoFactor, smsCode } from '../../interactions/second-factor/test/support.js';
import { formOf, postAll, statusCounts, times } from './guess-limits-support.js';

jest.setTimeout(180_000);

// Issue 19 point 2, "nobody can lock a chosen citizen out", with the third round's reading: every
// per-person limit counts only requests from browsers WITHOUT that person's device cookie (OWASP device
// cookies); a browser in which she signed in keeps its own allowance. Strangers still face the
// per-number, per-IP and per-block limits, and NIST SP 800-63B's hard limit after 100 (here fewer)
// consecutive failures. Each attempt is named with the property it defends.

const AYSE = DEMO_CITIZENS[0];
const GULSEN = DEMO_CITIZENS[2];
const LIMIT = 5;

/** A browser that keeps every Set-Cookie line it was sent. */
class CookieWatchingBrowser extends Browser {
  readonly setCookies: string[] = [];
  override async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await super.request(url, init);
    this.setCookies.push(...res.headers.getSetCookie());
    return res;
  }
}

/** A browser presenting itself from `ip` (Kapı trusts one proxy hop in the suites that use it). */
class BrowserAt extends Browser {
  constructor(readonly ip: string) {
    super();
  }
  override request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { 'x-forwarded-for': this.ip, ...init.headers } });
  }
}

/** The password form of a new authorization request (prompt=login: a browser with a session is asked again). */
async function passwordForm(browser: Browser, rp: client.Configuration): Promise<Page> {
  const page = await browser.go((await authRequest(rp, { prompt: 'login' })).url.href, {}, atCallback);
  if (!page.html.includes('name="national_id"')) throw new Error(`no password form: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return page;
}

/** Identity number and password on a new authorization request; the page that follows (or the callback). */
async function signIn(browser: Browser, rp: client.Configuration, nationalId: string, password: string): Promise<Page> {
  const page = await browser.submit(await passwordForm(browser, rp), { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) return browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return page;
}

/** `n` parallel password posts on one interaction of a stranger's browser. */
async function strangerGuesses(
  browser: Browser,
  rp: client.Configuration,
  n: number,
  nationalId: string,
  password = 'wrong-guess',
): Promise<Record<number, number>> {
  const form = formOf(await passwordForm(browser, rp), { name: 'submit', value: 'login' });
  return statusCounts(
    await postAll(
      browser,
      form,
      Array.from({ length: n }, (_, i) => ({ national_id: nationalId, password: `${password}-${i}` })),
    ),
  );
}

describe('attack: locking a chosen citizen out', () => {
  let pki: TestPki;
  let bed: Testbed;
  let t: TestKapi;
  let rp: client.Configuration;
  /** Ayşe's own browser: she signed in with it, so it holds her device cookie. */
  const ayseOwn = new Browser();

  beforeAll(async () => {
    pki = await startTestPki();
    bed = await startTestbed();
    // Five mobile-signature starts per (identity number, GSM number) pair in ten minutes.
    const operators = path.join(bed.dir, 'operators-owner.json');
    await writeFile(operators, JSON.stringify({ operators: ['turkcell', 'vodafone', 'turk-telekom'].map((id) => bed.entry(id)), startsPerTenMinutes: 5 }));
    t = await startKapi({
      env: { ...pki.env, KAPI_MOBILE_OPERATORS: operators },
      guessLimits: { lockAfter: LIMIT, lockSeconds: 600, delayAfter: 100, ipLimit: 1000, prefixLimit: 1000 },
      secondFactorGuesses: 3,
    });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
    await pki?.close();
  });

  it('ten parallel wrong passwords by a stranger do not lock the owner out: her own browser (device cookie) still signs in with her password, while strangers stay locked', async () => {
    const own = ayseOwn;
    expect(atCallback((await signIn(own, rp, AYSE.nationalId, AYSE.password)).url)).toBe(true);

    const stranger = new Browser();
    expect(await strangerGuesses(stranger, rp, 2 * LIMIT, AYSE.nationalId)).toEqual({ 401: LIMIT, 429: LIMIT });
    // The lock holds for strangers, even with the right password.
    expect((await signIn(new Browser(), rp, AYSE.nationalId, AYSE.password)).status).toBe(429);

    const again = await signIn(own, rp, AYSE.nationalId, AYSE.password);
    expect(atCallback(again.url)).toBe(true);
    // And strangers are still locked after her sign-in: her success is not theirs.
    expect((await signIn(new Browser(), rp, AYSE.nationalId, AYSE.password)).status).toBe(429);
  });

  it("the device cookie is HttpOnly, SameSite=Lax, host-only and for the whole site; a forged, altered or another person's token gives no allowance", async () => {
    const own = new CookieWatchingBrowser();
    expect(atCallback((await signIn(own, rp, GULSEN.nationalId, GULSEN.password)).url)).toBe(true);
    const line = own.setCookies.find((c) => c.startsWith('kapi_device='));
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*httponly/i);
    expect(line).toMatch(/;\s*samesite=lax/i);
    expect(line).toMatch(/;\s*path=\/(;|$)/i);
    expect(line).not.toMatch(/;\s*domain=/i);
    const token = ayseOwn.cookies.get(new URL(t.issuer).host)!.get('kapi_device')!;
    expect(token).not.toContain(AYSE.nationalId);

    // Altered: one character of the MAC changed.
    const altered = new Browser();
    altered.cookies.set(new URL(t.issuer).host, new Map([['kapi_device', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')]]));
    expect((await signIn(altered, rp, AYSE.nationalId, AYSE.password)).status).toBe(429);
    // Made up from nothing.
    const forged = new Browser();
    forged.cookies.set(new URL(t.issuer).host, new Map([['kapi_device', `${'a'.repeat(22)}.${'b'.repeat(16)}.abc.${'c'.repeat(32)}`]]));
    expect((await signIn(forged, rp, AYSE.nationalId, AYSE.password)).status).toBe(429);
    // Another person's token: Gülşen's browser holds Gülşen's, not Ayşe's.
    const gulsen = new Browser();
    expect(atCallback((await signIn(gulsen, rp, GULSEN.nationalId, GULSEN.password)).url)).toBe(true);
    expect((await signIn(gulsen, rp, AYSE.nationalId, AYSE.password)).status).toBe(429);
  });

  it("the owner's own browser has its own allowance: its wrong passwords lock only itself, never the strangers' allowance", async () => {
    const ismail = await citizen(t, '23654859046', 'Ismail-Sifre-1958', '+905324440000');
    const own = new Browser();
    expect(atCallback((await signIn(own, rp, ismail.nationalId, ismail.password)).url)).toBe(true);
    expect(await strangerGuesses(own, rp, 2 * LIMIT, ismail.nationalId)).toEqual({ 401: LIMIT, 429: LIMIT });
    expect((await signIn(own, rp, ismail.nationalId, ismail.password)).status).toBe(429);
    // Another browser (a stranger's allowance, untouched) signs in.
    expect(atCallback((await signIn(new Browser(), rp, ismail.nationalId, ismail.password)).url)).toBe(true);
  });

  it("a stranger who knows her password and locks her SMS step does not lock her own browser's: she signs in with her code", async () => {
    const cagla = await citizen(t, '10090908018', 'Cagla-Sifre-1990', '+905321230000');
    await setTwoFactor(t, cagla.nationalId, true);
    const own = new Browser();
    let page = await signIn(own, rp, cagla.nationalId, cagla.password);
    page = await own.submit(page, { code: smsCode(t, cagla.phone) }, { name: 'action', value: 'verify' }, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await own.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);

    const stranger = new Browser();
    const step = await signIn(stranger, rp, cagla.nationalId, cagla.password);
    expect(step.html).toContain('name="code"');
    const right = smsCode(t, cagla.phone);
    const answers = await postAll(stranger, formOf(step, { name: 'action', value: 'verify' }), times(6, { code: right === '000000' ? '111111' : '000000' }));
    expect(statusCounts(answers)).toEqual({ 400: 2, 429: 4 });
    expect((await signIn(new Browser(), rp, cagla.nationalId, cagla.password)).status).toBe(429); // strangers: locked

    const mine = await signIn(own, rp, cagla.nationalId, cagla.password);
    expect(mine.html).toContain('name="code"');
    let done = await own.submit(mine, { code: smsCode(t, cagla.phone) }, { name: 'action', value: 'verify' }, atCallback);
    if (!atCallback(done.url) && done.html.includes('name="decision"')) done = await own.submit(done, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(done.url)).toBe(true);
  });

  it('a stolen session (without her device cookie) that locks the change-password page does not lock her own browser', async () => {
    const emre = await citizen(t, '56789123416', 'Emre-Eski-Sifre-2000', '+905327770001');
    const own = new Browser();
    const page = await openWithPassword(t, own, '/account/password', emre);
    expect(page.status).toBe(200);
    // The thief copies the session cookies, not the device cookie.
    const thief = new Browser();
    const host = new URL(t.issuer).host;
    thief.cookies.set(host, new Map([...own.cookies.get(host)!].filter(([name]) => name !== 'kapi_device')));
    const stolen = await thief.go(`${t.issuer}/account/password`);
    expect(stolen.status).toBe(200);
    const next = 'Kuzey-Yildizi-Parlak-7';
    const answers = await postAll(
      thief,
      formOf(stolen, { name: 'submit', value: 'change' }),
      Array.from({ length: 10 }, (_, i) => ({ current_password: `not-mine-${i}`, new_password: next, new_password_confirm: next })),
    );
    expect(statusCounts(answers)).toEqual({ 401: 5, 429: 5 });

    const mine = await own.submit(
      await own.go(`${t.issuer}/account/password`),
      { current_password: emre.password, new_password: next, new_password_confirm: next },
      { name: 'submit', value: 'change' },
    );
    expect(mine.url).toBe(`${t.issuer}/account/password?notice=changed`);
  });

  it("strangers who spend her number's password-reset starts do not keep her own browser from renewing her password", async () => {
    const own = new Browser();
    expect(atCallback((await signIn(own, rp, GULSEN.nationalId, GULSEN.password)).url)).toBe(true);
    const stranger = new Browser();
    const start = await stranger.go(`${t.issuer}/account/reset`);
    const wrongDetails = { national_id: GULSEN.nationalId, birthdate: '1968-05-09', document_serial: 'X00000000', phone: '0555 000 00 00' };
    const answers = await postAll(stranger, formOf(start, { name: 'submit', value: 'start' }), times(7, wrongDetails));
    expect(statusCounts(answers)[429]).toBe(2);
    // A stranger's next start is refused; hers is not.
    const late = new Browser();
    const refused = await late.submit(await late.go(`${t.issuer}/account/reset`), wrongDetails, { name: 'submit', value: 'start' });
    expect(refused.status).toBe(429);
    const hers = await own.submit(await own.go(`${t.issuer}/account/reset`), wrongDetails, { name: 'submit', value: 'start' });
    expect(hers.status).toBe(200);
    expect(hers.url).toBe(`${t.issuer}/account/reset/code`);
  });

  it('five mobile-signature starts with made-up GSM numbers do not block her own phone (limits count per identity number and GSM number pair)', async () => {
    const stranger = new Browser();
    const made = ['0555 123 45 61', '0555 123 45 62', '0555 123 45 63', '0555 123 45 64', '0555 123 45 65', '0555 123 45 66'];
    for (const phone of made) {
      const page = await startMobile(stranger, AYSE.nationalId, phone);
      expect(page.status).not.toBe(429);
    }
    const hers = await startMobile(new Browser(), AYSE.nationalId, '0530 000 00 10');
    expect(hers.status).toBe(200);
    expect(hers.html).toContain('id="verification-code"');
  });

  it('a stranger flooding her own (identity number, GSM number) pair reaches her phone 5 times at most, and does not block her own browser', async () => {
    const own = ayseOwn; // holds her device cookie since the first attempt
    const phone = '0530 000 00 10';
    const asked = () => bed.simulator.requests.filter((r) => r.operation === 'MSS_SignatureReq' && r.msisdn?.endsWith('5300000010')).length;
    const before = asked();
    const stranger = new Browser();
    const form = formOf(await mobileForm(stranger), { name: 'submit', value: 'start' });
    // One start above already reached this pair from a stranger's browser: four are left.
    const answers = await postAll(stranger, form, times(10, { national_id: AYSE.nationalId, phone, operator: 'turkcell' }));
    expect(asked() - before).toBe(4);
    expect(statusCounts(answers)[429]).toBe(6);
    const hers = await startMobile(own, AYSE.nationalId, phone);
    expect(hers.status).toBe(200);
    expect(hers.html).toContain('id="verification-code"');
    expect(asked() - before).toBe(5);
  });

  /** The mobile-signature form of a new authorization request. */
  async function mobileForm(browser: Browser): Promise<Page> {
    let page = await browser.go((await authRequest(rp, { prompt: 'login' })).url.href, {}, atCallback);
    if (page.html.includes('data-method="mobile-signature"')) page = await browser.submit(page, {}, { name: 'method', value: 'mobile-signature' }, atCallback);
    return page;
  }

  async function startMobile(browser: Browser, nationalId: string, phone: string): Promise<Page> {
    return browser.submit(await mobileForm(browser), { national_id: nationalId, phone, operator: 'turkcell' }, { name: 'submit', value: 'start' }, atCallback);
  }
});

describe('attack: the run of consecutive failures, spent addresses and slowed blocks', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;
  const HARD = 8;

  beforeAll(async () => {
    pki = await startTestPki();
    // Window locks and block slow-downs out of the way, so the run of consecutive failures is what stops
    // strangers; six failures block an address.
    const limits: Record<string, number> = { lockAfter: 1000, delayAfter: 1000, hardLimit: HARD, ipLimit: 6, ipBlockSeconds: 600, prefixLimit: 1000 };
    t = await startKapi({ env: { ...pki.env, KAPI_TRUST_PROXY_HOPS: '1' }, guessLimits: limits });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  it(`NIST SP 800-63B: ${HARD} consecutive failures (100 by default) close the password method to strangers, even for the right password; her own browser still signs in, and her success ends the run`, async () => {
    const mehmet = await citizen(t, '12345678950', 'Mehmet-Sifre-1972', '+905320000002');
    const own = new BrowserAt('203.0.113.1');
    expect(atCallback((await signIn(own, rp, mehmet.nationalId, mehmet.password)).url)).toBe(true);
    // Each guess from its own address, as a botnet sends them: no address is blocked.
    const guesses = await Promise.all(
      Array.from({ length: 2 * HARD }, async (_, i) => (await signIn(new BrowserAt(`198.51.100.${i + 1}`), rp, mehmet.nationalId, `wrong-${i}`)).status),
    );
    expect(guesses.filter((s) => s === 401)).toHaveLength(HARD);
    expect(guesses.filter((s) => s === 429)).toHaveLength(HARD);
    const refused = await signIn(new BrowserAt('198.51.100.99'), rp, mehmet.nationalId, mehmet.password);
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('art arda çok fazla hatalı şifre');

    expect(atCallback((await signIn(own, rp, mehmet.nationalId, mehmet.password)).url)).toBe(true);
    // Her success ended the run: a stranger's right password works again.
    expect(atCallback((await signIn(new BrowserAt('198.51.100.98'), rp, mehmet.nationalId, mehmet.password)).url)).toBe(true);
  });

  it('a sign-in with a strong method (e-signature) ends the run of consecutive failures too', async () => {
    const zeynep = { nationalId: '10090908018', givenName: 'Çağla', familyName: 'Şahin' };
    await citizen(t, zeynep.nationalId, 'Cagla-Sifre-1990', '+905321230000');
    await Promise.all(Array.from({ length: HARD }, (_, i) => signIn(new BrowserAt(`198.51.101.${i + 1}`), rp, zeynep.nationalId, `wrong-${i}`)));
    expect((await signIn(new BrowserAt('198.51.101.99'), rp, zeynep.nationalId, 'Cagla-Sifre-1990')).status).toBe(429);

    const browser = new BrowserAt('203.0.113.2');
    const waiting = await startSmartCard(browser, (await authRequest(rp)).url.href, 'e-signature', zeynep.nationalId, atCallback);
    const card = await softwareCard(pki.ca, { ...zeynep, profile: 'e-signature' });
    expect((await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card)).status).toBe(200);
    let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    expect(atCallback((await signIn(new BrowserAt('198.51.101.98'), rp, zeynep.nationalId, 'Cagla-Sifre-1990')).url)).toBe(true);
  });

  it('a stranger who spends a shared address (carrier NAT, an office) does not block the owner behind it', async () => {
    const shared = '192.0.2.50';
    const own = new BrowserAt(shared);
    expect(atCallback((await signIn(own, rp, AYSE.nationalId, AYSE.password)).url)).toBe(true);
    // Numbers of different blocks, so only the address's limit fires.
    for (const number of ['56789123416', '23654859046', '19876543238', '34567891238', '99234567106', '31112223308']) {
      await signIn(new BrowserAt(shared), rp, number, 'spray-guess');
    }
    expect((await signIn(new BrowserAt(shared), rp, '42223334418', 'spray-guess')).status).toBe(429);
    expect(atCallback((await signIn(own, rp, AYSE.nationalId, AYSE.password)).url)).toBe(true);
  });
});

describe('attack: slowing the block of numbers around a chosen citizen', () => {
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    // Four failures spread over a block (the first 7 digits) slow every number of it for 10 minutes.
    t = await startKapi({
      env: { KAPI_TRUST_PROXY_HOPS: '1' },
      guessLimits: { lockAfter: 1000, delayAfter: 1000, ipLimit: 1000, prefixLimit: 4, prefixDelaySeconds: 600 },
    });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => t?.stop());

  it("a stranger who slows her number's block (failures spread over it from many addresses) does not slow her own browser", async () => {
    const own = new BrowserAt('203.0.113.3');
    expect(atCallback((await signIn(own, rp, AYSE.nationalId, AYSE.password)).url)).toBe(true);
    const block = ['10000000078', '10000000214', '10000000382', '10000000450'];
    for (const [i, number] of block.entries()) await signIn(new BrowserAt(`198.51.102.${i + 1}`), rp, number, 'block-guess');
    expect((await signIn(new BrowserAt('198.51.102.99'), rp, '10000000528', 'block-guess')).status).toBe(429);
    expect(atCallback((await signIn(own, rp, AYSE.nationalId, AYSE.password)).url)).toBe(true);
  });
});
