import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { generate } from 'otplib';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { openWithPassword } from '../account/security-support.js';
import { citizen, password, setTwoFactor, smsCode } from '../../interactions/second-factor/test/support.js';
import { evaluatedCodes, formOf, postAll, statusCounts, times, verifications } from './guess-limits-support.js';
import { secondFactorModule } from '../../interactions/second-factor/index.js';

jest.setTimeout(120_000);

// Issue 19 point 1, "guess limits hold under concurrency". Every limited guess takes its point from
// its counters BEFORE the expensive check, atomically per counter, so an attacker who sends twice the
// limit at once gets exactly the limit evaluated, and the right secret after that is refused. The
// guesses go out in parallel from one browser, on one interaction or one page, as an attacker's script
// sends them. Evaluations are counted through the running Kapı: argon2 runs for passwords, recorded
// wrong codes for the second stage.

const LIMIT = 5; // password guesses per number before the password method closes for it
const CODE_GUESSES = 3; // SMS / TOTP codes before the second stage locks
const AYSE = DEMO_CITIZENS[0];

describe('attack: guesses sent in parallel', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    // No delays and room on the IP, so the per-number limit is the one counted.
    t = await startKapi({
      env: pki.env,
      guessLimits: { lockAfter: LIMIT, delayAfter: 100, ipLimit: 1000, prefixLimit: 1000 },
      secondFactorGuesses: CODE_GUESSES,
    });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  it(`${2 * LIMIT} parallel wrong passwords on one interaction reach argon2 exactly ${LIMIT} times, and the right password after them is refused (guess limits hold under concurrency)`, async () => {
    const browser = new Browser();
    const page = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    const form = formOf(page, { name: 'submit', value: 'login' });
    const before = verifications(t);
    const answers = await postAll(
      browser,
      form,
      Array.from({ length: 2 * LIMIT }, (_, i) => ({ national_id: AYSE.nationalId, password: `wrong-guess-${i}` })),
    );
    expect(verifications(t) - before).toBe(LIMIT);
    expect(statusCounts(answers)).toEqual({ 401: LIMIT, 429: LIMIT });

    const right = await postAll(browser, form, [{ national_id: AYSE.nationalId, password: AYSE.password }]);
    expect(right[0]!.status).toBe(429);
    expect(verifications(t) - before).toBe(LIMIT);
  });

  it(`${2 * LIMIT} parallel guesses of an unknown number reach argon2 exactly ${LIMIT} times too (no enumeration through the limit)`, async () => {
    const browser = new Browser();
    const form = formOf(await browser.go((await authRequest(rp)).url.href, {}, atCallback), { name: 'submit', value: 'login' });
    const before = verifications(t);
    const answers = await postAll(browser, form, times(2 * LIMIT, { national_id: '10000000078', password: 'any-guess' }));
    expect(verifications(t) - before).toBe(LIMIT);
    expect(statusCounts(answers)).toEqual({ 401: LIMIT, 429: LIMIT });
  });

  it('10 parallel wrong current passwords on the change-password page reach argon2 exactly 5 times, and the right one after them is refused', async () => {
    const cagla = await citizen(t, '10090908018', 'Cagla-Eski-Sifre-1990', '+905321230000');
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/password', cagla);
    expect(page.status).toBe(200);
    const form = formOf(page, { name: 'submit', value: 'change' });
    const next = 'Kuzey-Yildizi-Parlak-7';
    const before = verifications(t);
    const answers = await postAll(
      browser,
      form,
      Array.from({ length: 10 }, (_, i) => ({ current_password: `not-mine-${i}`, new_password: next, new_password_confirm: next })),
    );
    expect(verifications(t) - before).toBe(5);
    expect(statusCounts(answers)).toEqual({ 401: 5, 429: 5 });

    const right = await postAll(browser, form, [{ current_password: cagla.password, new_password: next, new_password_confirm: next }]);
    expect(right[0]!.status).toBe(429);
    expect(verifications(t) - before).toBe(5);
    // The password did not change.
    const account = (await t.kapi.services.accounts.findByNationalId(cagla.nationalId))!;
    expect(await t.kapi.services.hasher.verify((await t.kapi.services.accounts.findPassword(account.id))!.hash, cagla.password)).toBe(true);
  });

  it(`${4 * CODE_GUESSES} parallel wrong SMS codes on one interaction are evaluated exactly ${CODE_GUESSES} times, and the right code after them is refused`, async () => {
    const ismail = await citizen(t, '23654859046', 'Ismail-Sifre-1958', '+905324440000');
    const accountId = await setTwoFactor(t, ismail.nationalId, true);
    const browser = new Browser();
    const page = await password(browser, (await authRequest(rp)).url.href, ismail.nationalId, ismail.password);
    expect(page.html).toContain('name="code"');
    const right = smsCode(t, ismail.phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const form = formOf(page, { name: 'action', value: 'verify' });
    const answers = await postAll(browser, form, times(4 * CODE_GUESSES, { code: wrong }));
    expect(await evaluatedCodes(t, accountId, 'sms')).toBe(CODE_GUESSES);
    expect(statusCounts(answers)).toEqual({ 400: CODE_GUESSES - 1, 429: 3 * CODE_GUESSES + 1 });

    const late = await postAll(browser, form, [{ code: right }]);
    expect(late[0]!.status).toBe(429);
    expect(atCallback(late[0]!.location ?? '')).toBe(false);
  });

  it(`${4 * CODE_GUESSES} parallel wrong e-Government Key (TOTP) codes are evaluated exactly ${CODE_GUESSES} times, and the right code after them is refused`, async () => {
    const emre = await citizen(t, '56789123416', 'Emre-Sifre-2000', '+905327770001');
    const accountId = await setTwoFactor(t, emre.nationalId, true);
    const setup = await t.kapi.exportsOf(secondFactorModule).totp.begin(accountId, 'Emre');
    if (setup === 'already_active') throw new Error('unexpected');
    const now = Math.floor(Date.now() / 1000);
    expect(await t.kapi.exportsOf(secondFactorModule).totp.check(accountId, await generate({ secret: setup.secret, epoch: now }), { activate: true })).toBe(
      'ok',
    );
    const browser = new Browser();
    let page = await password(browser, (await authRequest(rp)).url.href, emre.nationalId, emre.password);
    if (page.html.includes('data-method="totp"')) page = await browser.submit(page, {}, { name: 'method', value: 'totp' }, atCallback);
    expect(page.html).toContain('name="code"');
    const right = await generate({ secret: setup.secret, epoch: now + 30 }); // the next step, inside the window
    const wrong = right === '000000' ? '111111' : '000000';
    const form = formOf(page, { name: 'action', value: 'verify' });
    const answers = await postAll(browser, form, times(4 * CODE_GUESSES, { code: wrong }));
    expect(await evaluatedCodes(t, accountId, 'totp')).toBe(CODE_GUESSES);
    expect(statusCounts(answers)).toEqual({ 400: CODE_GUESSES - 1, 429: 3 * CODE_GUESSES + 1 });

    const late = await postAll(browser, form, [{ code: right }]);
    expect(late[0]!.status).toBe(429);
    expect(atCallback(late[0]!.location ?? '')).toBe(false);
  });

  it('10 parallel wrong reset codes are evaluated at most 5 times, and the right code after them is refused', async () => {
    const browser = new Browser();
    const start = await browser.go(`${t.issuer}/account/reset`);
    const sent = await browser.submit(
      start,
      { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' },
      { name: 'submit', value: 'start' },
    );
    expect(sent.html).toContain('name="sms_code"');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the codes are sent without waiting
    const text =
      t.kapi.messaging
        .smsOutbox!.list(AYSE.phone)
        .filter((m) => m.purpose === 'password_reset')
        .at(-1)?.text ?? '';
    const right = /\b(\d{6})\b/.exec(text)![1]!;
    const wrong = right === '000000' ? '111111' : '000000';
    const form = formOf(sent, { name: 'submit' });
    const answers = await postAll(browser, form, times(10, { sms_code: wrong }));
    // Four "wrong code" answers; the fifth guess throws the codes away and ends the attempt (429), and
    // the others are refused the same way or find the attempt gone: no guess beyond the fifth is compared.
    expect(answers.filter((a) => a.html.includes('Güvenlik kodu doğru değil'))).toHaveLength(4);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(0);
    const late = await postAll(browser, form, [{ sms_code: right }]);
    expect(late[0]!.status).not.toBe(303);
    expect(late[0]!.location ?? '').not.toContain('/account/reset/password');
  });

  it('120 parallel look-ups of made-up smart-card transaction codes from one address: exactly 60 reach the store, the rest are refused (429)', async () => {
    const alphabet = 'ACDEFGHJKLMNPQRTUVWXY3479';
    const code = () => Array.from({ length: 8 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    const answers = await Promise.all(Array.from({ length: 120 }, async () => (await fetch(`${t.issuer}/smart-card/v1/transactions/${code()}`)).status));
    expect(answers.filter((s) => s === 404)).toHaveLength(60);
    expect(answers.filter((s) => s === 429)).toHaveLength(60);
  });

  it('240 parallel device-API calls (QR payload guesses) from one address: exactly 120 are looked at, the rest are refused (429)', async () => {
    const answers = await Promise.all(
      Array.from(
        { length: 240 },
        async () =>
          (
            await fetch(`${t.issuer}/device/v1/scan`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Device a.b.c' },
              body: '{"payload":"x"}',
            })
          ).status,
      ),
    );
    expect(answers.filter((s) => s === 401)).toHaveLength(120);
    expect(answers.filter((s) => s === 429)).toHaveLength(120);
  });
});
