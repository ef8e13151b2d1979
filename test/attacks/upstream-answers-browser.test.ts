import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import type * as client from 'openid-client';
import { CROSS_SITE_BANK, startCrossSiteBankWorld, type CrossSiteBankWorld } from './upstream-answers-support.js';
import { launchChromium } from '../support/chromium.js';
import { CALLBACK, authRequest, exchange, personClaims, registerInstitution, relyingParty } from '../support/institution.js';

// The bank-answer injection of issue 25 point 1, tried in real Chromium with two browser contexts
// (two people, two cookie jars) against the demo bank, and the journeys it must not break: two bank
// logins in two tabs of one browser. Real cookie paths and SameSite apply here: the bank is another
// site than Kapı (localhost and 127.0.0.1), so its redirect back is a cross-site navigation.

jest.setTimeout(180_000);

const AYSE = { login: '4000146', password: 'Demo-Banka-146', nationalId: '10000000146' };
const OTP = '246810';

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

/** Chooser → online banking → the bank link; returns once the tab shows the bank's login page. */
async function toBankLogin(w: CrossSiteBankWorld, page: Page, start: string): Promise<void> {
  await page.goto(start);
  await page.click('[data-method="banking"]');
  await page.click(`[data-bank="${CROSS_SITE_BANK}"]`);
  await page.waitForURL((url) => url.href.startsWith(`${w.bank.issuer}/login/`));
}

async function signInAtBank(page: Page, person: { login: string; password: string }): Promise<void> {
  await page.fill('#login', person.login);
  await page.fill('#password', person.password);
  await page.fill('#otp', OTP);
  await page.click('button[value="login"]');
}

/**
 * Signs in at the bank and goes on to the institution (through Kapı's consent page when it is asked);
 * returns the callback URL with the code, read from Kapı's redirect (the institution's host does not
 * exist here, so the browser itself stops at an error page).
 */
async function bankToInstitution(page: Page, person: { login: string; password: string }): Promise<string> {
  const redirected = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(CALLBACK), { timeout: 30_000 });
  await signInAtBank(page, person);
  const next = await Promise.race([
    redirected.then(() => 'institution'),
    page.waitForSelector('button[value="allow"]', { timeout: 30_000 }).then(() => 'consent'),
  ]);
  if (next === 'consent') await page.click('button[value="allow"]').catch(() => undefined);
  return (await redirected).headers().location!;
}

describeBrowser('attacks in Chromium: a bank answer counts only in the browser that asked', () => {
  let w: CrossSiteBankWorld;
  let rp: client.Configuration;
  beforeAll(async () => {
    w = await startCrossSiteBankWorld();
    rp = await relyingParty(w.t, await registerInstitution(w.t));
  });
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it("the attacker's bank URL opened in the victim's browser: she sees a 403 explanation, the attacker's interaction gets the bank chooser with an error, nobody is signed in", async () => {
    const { db, accounts } = w.t.kapi.services;
    const account = await accounts.findByNationalId(AYSE.nationalId);
    const successesBefore = (await db('sign_ins').where({ account_id: account!.id, result: 'success' })).length;
    const attacker = await browser!.newContext();
    const victim = await browser!.newContext();
    try {
      // The attacker starts a bank login and does not follow the redirect: he keeps the bank's URL.
      const attackerPage = await attacker.newPage();
      await attackerPage.goto((await authRequest(rp)).url.href);
      await attackerPage.click('[data-method="banking"]');
      const interactionUrl = /^(.*\/interaction\/[^/?#]+)/.exec(attackerPage.url())![1]!;
      const sent = attackerPage.waitForResponse((r) => (r.headers().location ?? '').startsWith(`${w.bank.issuer}/auth`));
      await attackerPage.click(`[data-bank="${CROSS_SITE_BANK}"]`);
      const authorizationUrl = (await sent).headers().location!;

      // The victim opens the genuine bank URL and signs in at her bank; the bank sends her browser to Kapı.
      const victimPage = await victim.newPage();
      await victimPage.goto(authorizationUrl);
      await victimPage.waitForURL((url) => url.href.startsWith(`${w.bank.issuer}/login/`));
      const answered = victimPage.waitForResponse((r) => r.url().startsWith(`${w.t.issuer}/banking/callback`), { timeout: 20_000 });
      await signInAtBank(victimPage, AYSE);
      const callbackStatus = (await answered).status();
      await victimPage.waitForLoadState();

      // The attacker reloads his interaction, waiting for her answer.
      const reload = await attackerPage.goto(interactionUrl);

      // He is not signed in as her: the bank chooser with the reason, not the consent page.
      expect(await attackerPage.locator('button[value="allow"]').count()).toBe(0);
      expect((await db('sign_ins').where({ account_id: account!.id, result: 'success' })).length).toBe(successesBefore);
      expect(reload?.status()).toBe(400);
      expect(await attackerPage.textContent('.error-summary')).toContain('girişin başlatıldığı tarayıcıda açılmadığı için kullanılmadı');
      expect(await attackerPage.locator(`[data-bank="${CROSS_SITE_BANK}"]`).count()).toBe(1);
      // She is told, on a 403 page of its own, that nothing happened and why; she is sent to no interaction.
      expect(callbackStatus).toBe(403);
      expect(await victimPage.textContent('main')).toContain('Bu banka yanıtı bu tarayıcıda başlatılmış bir girişe ait değil');
      expect(victimPage.url().startsWith(`${w.t.issuer}/banking/callback`)).toBe(true);
      expect((await db('audit_events').where({ type: 'upstream.answer_refused' })).length).toBeGreaterThanOrEqual(1);
      // The binding went to the attacker's browser, scoped to the callback: never sent with the interaction's requests.
      const bound = (await attacker.cookies(`${w.t.issuer}/banking/callback`)).filter((c) => c.name.startsWith('kapi_upstream_'));
      expect(bound.map((c) => ({ path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
        { path: '/banking/callback', httpOnly: true, sameSite: 'Lax' },
      ]);
      expect((await attacker.cookies(interactionUrl)).some((c) => c.name.startsWith('kapi_upstream_'))).toBe(false);
    } finally {
      await attacker.close();
      await victim.close();
    }
  });

  it('two bank logins in two tabs of one browser (two services) each finish, the later one first: each tab keeps its own binding, and none is left afterwards', async () => {
    const context = await browser!.newContext();
    try {
      const other = await relyingParty(w.t, await registerInstitution(w.t, { name: 'İkinci Kurum' }));
      const [first, second] = [await context.newPage(), await context.newPage()];
      const firstRequest = await authRequest(rp);
      const secondRequest = await authRequest(other);
      await toBankLogin(w, first, firstRequest.url.href);
      await toBankLogin(w, second, secondRequest.url.href);
      const bindings = (await context.cookies(`${w.t.issuer}/banking/callback`)).filter((c) => c.name.startsWith('kapi_upstream_'));
      expect(bindings).toHaveLength(2);
      const secondClaims = await personClaims(other, await exchange(other, secondRequest, await bankToInstitution(second, AYSE)));
      expect(secondClaims.national_id).toBe(AYSE.nationalId);
      const firstClaims = await personClaims(rp, await exchange(rp, firstRequest, await bankToInstitution(first, AYSE)));
      expect(firstClaims.national_id).toBe(AYSE.nationalId);
      expect(firstClaims.acr).toBe('substantial');
      expect((await context.cookies(`${w.t.issuer}/banking/callback`)).filter((c) => c.name.startsWith('kapi_upstream_'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
