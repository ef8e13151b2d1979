import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import type * as client from 'openid-client';
import { Browser as HttpBrowser } from '../support/browser.js';
import { describeViolations, launchChromium, runAxe, watchCsp } from '../support/chromium.js';
import { startCrossOriginInstitution, type CrossOriginInstitution } from '../support/cross-origin-institution.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { startOperatorSwitch, type OperatorSwitch } from '../../interactions/mobile-signature/test/operator-switch.js';
import { startTestbed, type Testbed } from '../../interactions/mobile-signature/test/support.js';

// Issue 20 points 3 and 6 in Chromium, the institution on another origin (Kapı on localhost, the
// institution on 127.0.0.1): the mobile-signature form says an operator is down before anyone tries,
// axe-clean, in Turkish and in English; a browser whose Accept-Language is English gets English on its
// first visit and keeps the language the person then chooses; "correct the error below" heads only a
// field error.

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;
const COOL_DOWN_SECONDS = 2;

describeBrowser('messages a person can act on, in Chromium', () => {
  let pki: TestPki;
  let bed: Testbed;
  let operatorSwitch: OperatorSwitch;
  let t: TestKapi;
  let institution: CrossOriginInstitution;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    bed = await startTestbed({ answerAfterMs: 300 });
    operatorSwitch = await startOperatorSwitch(bed.simulator);
    const file = await bed.writeOperators(
      [
        bed.entry('turkcell', { endpoint: operatorSwitch.endpoint('turkcell'), health: { failuresToTrip: 3, coolDownSeconds: COOL_DOWN_SECONDS } }),
        bed.entry('vodafone'),
      ],
      'browser.json',
    );
    t = await startKapi({ issuerHost: 'localhost', env: { ...pki.env, KAPI_MOBILE_OPERATORS: file } });
    institution = await startCrossOriginInstitution(t);
    rp = await relyingParty(t, await registerInstitution(t));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await institution?.close();
    await t?.stop();
    await operatorSwitch?.close();
    await bed?.close();
    await pki?.close();
  });

  async function withContext(
    options: Parameters<NonNullable<typeof browser>['newContext']>[0],
    run: (page: Page, blocked: string[], context: BrowserContext) => Promise<void>,
  ): Promise<void> {
    const context = await browser!.newContext(options);
    try {
      const page = await context.newPage();
      const blocked = await watchCsp(page);
      await run(page, blocked, context);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  }

  async function expectAxeClean(page: Page): Promise<void> {
    const violations = await runAxe(page);
    expect(describeViolations(violations)).toBe('');
  }

  async function mobileSignatureForm(page: Page): Promise<void> {
    await page.goto(institution.startUrl({ acr_values: 'high' }));
    expect(new URL(page.url()).hostname).toBe('localhost');
    await Promise.all([page.waitForURL(/\/method\/mobile-signature$/), page.click('[data-method="mobile-signature"]')]);
  }

  /** The operator's breaker opens: three starts that meet the operator's 503 page. */
  async function operatorDown(): Promise<void> {
    operatorSwitch.set('down');
    for (let i = 0; i < 3; i++) {
      const http = new HttpBrowser();
      const chooser = await http.go((await authRequest(rp, { acr_values: 'high' })).url.href, {}, atCallback);
      const form = await http.submit(chooser, {}, { name: 'method', value: 'mobile-signature' }, atCallback);
      expect(
        (await http.submit(form, { national_id: '10000000146', phone: '05300000001', operator: 'turkcell' }, { name: 'submit', value: 'start' }, atCallback))
          .status,
      ).toBe(503);
    }
  }

  it('the form shows an operator down before anyone tries (disabled, with a notice naming it and the methods to use), axe-clean, in Turkish and, on a first visit that asks for it, English', async () => {
    await operatorDown();
    await withContext({ locale: 'tr-TR' }, async (page) => {
      await mobileSignatureForm(page);
      expect(await page.getAttribute('html', 'lang')).toBe('tr');
      expect(await page.textContent('[data-operator-down="turkcell"]')).toBe('Turkcell mobil imza hizmetine şu anda ulaşılamıyor.');
      expect(await page.textContent('#operator-notice')).toContain('şimdilik e-İmza veya T.C. Kimlik Kartı ile giriş yapabilirsiniz');
      expect(await page.isDisabled('option[value="turkcell"]')).toBe(true);
      expect(await page.isDisabled('option[value="vodafone"]')).toBe(false);
      await expectAxeClean(page);
    });
    await withContext({ locale: 'en-GB' }, async (page) => {
      await mobileSignatureForm(page);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('[data-operator-down="turkcell"]')).toBe("Turkcell's mobile signature service cannot be reached right now.");
      expect(await page.textContent('option[value="turkcell"]')).toBe('Turkcell (not available right now)');
      await expectAxeClean(page);
      // "Sign in another way" from the notice leads back to the chooser.
      await Promise.all([page.waitForURL(/choose=1/), page.click('#operator-notice-other')]);
      expect(await page.isVisible('[data-method="e-signature"]')).toBe(true);
    });
  });

  it('after the cool-down the form offers the operator again and the sign-in reaches the institution', async () => {
    operatorSwitch.set('up');
    await new Promise((r) => setTimeout(r, COOL_DOWN_SECONDS * 1000 + 500));
    const probes = operatorSwitch.probes('turkcell');
    await withContext({ locale: 'tr-TR' }, async (page) => {
      await mobileSignatureForm(page); // this page makes the probe
      expect(await page.isVisible('#operator-notice')).toBe(false);
      expect(await page.isDisabled('option[value="turkcell"]')).toBe(false);
      await page.fill('#national_id', '10000000146');
      await page.fill('#phone', '0530 000 00 01');
      await page.selectOption('#operator', 'turkcell');
      await Promise.all([page.waitForSelector('#verification-code'), page.click('#submit')]);
      // poll.js continues by itself once the phone has signed: consent, then the institution.
      await page.waitForSelector('button[name="decision"][value="allow"], #acr', { timeout: 30_000 });
      if (await page.isVisible('button[name="decision"][value="allow"]'))
        await Promise.all([page.waitForURL((url) => url.origin === institution.origin), page.click('button[name="decision"][value="allow"]')]);
      expect(await page.textContent('#acr')).toBe('high');
    });
    expect(operatorSwitch.probes('turkcell')).toBe(probes + 1);
  });

  it('Accept-Language English on the first visit gives English pages, error pages included; the language the person then chooses stays', async () => {
    await withContext({ locale: 'en-GB' }, async (page) => {
      const missing = await page.goto(`${t.issuer}/no-such-page`);
      expect(missing?.status()).toBe(404);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('main')).toContain('The page you are looking for does not exist.');
      await expectAxeClean(page);

      await page.goto(institution.startUrl());
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('h1')).toBe('Choose how to sign in');
      await expectAxeClean(page);
      await Promise.all([page.waitForLoadState('load'), page.click('a.lang')]);
      expect(await page.getAttribute('html', 'lang')).toBe('tr');
      expect(await page.textContent('h1')).toBe('Giriş yöntemi seçin');
      // A new sign-in in the same browser: her choice, not the header.
      await page.goto(institution.startUrl());
      expect(await page.getAttribute('html', 'lang')).toBe('tr');
      await page.goto(`${t.issuer}/device/app-callback`);
      expect(await page.textContent('h1')).toBe('e-Devlet uygulamasına dönün');
    });
  });

  it('"correct the error below" heads a field error (linked to its field), never a refusal; both axe-clean', async () => {
    await withContext({ locale: 'tr-TR' }, async (page) => {
      await mobileSignatureForm(page);
      await page.fill('#national_id', '10000000146');
      await page.fill('#phone', '12345');
      await page.selectOption('#operator', 'vodafone');
      await Promise.all([page.waitForLoadState('load'), page.click('#submit')]);
      expect(await page.textContent('#error-summary-title')).toBe('Lütfen aşağıdaki hatayı düzeltin');
      expect(await page.getAttribute('.error-summary a', 'href')).toBe('#phone');
      expect(await page.getAttribute('#phone', 'aria-invalid')).toBe('true');
      await expectAxeClean(page);

      // A number the operator has no mobile signature for: a refusal, nothing in the form to correct.
      await page.fill('#phone', '0539 999 99 99');
      await page.selectOption('#operator', 'vodafone');
      await Promise.all([page.waitForLoadState('load'), page.click('#submit')]);
      expect(await page.textContent('.error-summary')).toContain('Bu kimlik numarası ve GSM numarası için mobil imza bulunamadı.');
      expect(await page.isVisible('#error-summary-title')).toBe(false);
      expect(await page.textContent('body')).not.toContain('Lütfen aşağıdaki hatayı düzeltin');
      await expectAxeClean(page);
    });
  });
});
