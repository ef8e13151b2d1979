import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchChromium, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { authRequest, CALLBACK, exchange, personClaims, registerInstitution, relyingParty } from '../support/institution.js';
import { signerPost, softwareCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { AYSE } from './security-support.js';

// The security settings, login history, institutions and sessions pages in real Chromium, with their
// real CSP, checked by axe-core in Turkish and English: as a password session, after an e-signature
// sign-in (the forms that change password login), with notices, and the signed-out-everywhere page.

jest.setTimeout(120_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('security, history and sessions pages in Chromium (axe-core)', () => {
  let pki: TestPki;
  let t: TestKapi;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    // One institution with data released and a remembered consent, so the institutions page has content.
    const rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    const context = await browser!.newContext();
    // The institution's redirect URI is answered here: nothing leaves 127.0.0.1.
    let callback: string | undefined;
    await context.route(`${CALLBACK}**`, async (route) => {
      callback = route.request().url();
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'institution' });
    });
    const page = await context.newPage();
    const req = await authRequest(rp);
    await page.goto(req.url.href);
    // The chooser's first section is the password form (the gateway's password tab).
    await page.fill('#national_id', AYSE.nationalId);
    await page.fill('#password', AYSE.password);
    await page.click('button[value="login"]');
    await page.click('button[value="allow"]');
    await page.waitForURL(`${CALLBACK}**`);
    const tokens = await exchange(rp, req, callback!);
    await personClaims(rp, tokens); // userinfo releases the claims the history shows
    await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await pki?.close();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    let context: BrowserContext;
    let page: Page;
    let blocked: string[];

    beforeAll(async () => {
      context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      page = await context.newPage();
      blocked = await watchCsp(page);
      await page.goto(`${t.issuer}/account/security?lang=${locale}`);
      await page.fill('#national_id', AYSE.nationalId); // on the chooser itself
      await page.fill('#password', AYSE.password);
      await page.click('button[value="login"]');
      await page.waitForURL(/\/account\/security(\?|$)/);
    });
    afterAll(async () => {
      expect(blocked).toEqual([]);
      await context?.close();
    });

    it('security settings in a password session', async () => {
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      expect(await page.locator('#sign-in-with-signature').count()).toBe(1);
      await expectAccessible(page);
    });

    it('access restrictions: block (notice), then the unblock form', async () => {
      await page.click('#block-bank-login');
      await page.waitForURL(/notice=bank_login_blocked/);
      expect(await page.getByRole('status').count()).toBe(1);
      await expectAccessible(page);
      await page.click('#unblock-bank-login');
      await page.waitForURL(/notice=bank_login_unblocked/);
      await expectAccessible(page);
    });

    it('the "stronger sign-in needed" page when a password session tries to close password login', async () => {
      // The form a password session does not get, posted as a real navigation (the page keeps its CSP).
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.evaluate(() => {
          const csrf = (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value;
          const form = document.createElement('form');
          form.method = 'post';
          form.action = '/account/security/password-login';
          for (const [name, value] of [
            ['_csrf', csrf],
            ['action', 'close'],
          ]) {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = name!;
            input.value = value!;
            form.append(input);
          }
          document.body.append(form);
          form.submit();
        }),
      ]);
      expect(response?.status()).toBe(403);
      expect(await page.locator('#sign-in-again').count()).toBe(1);
      await expectAccessible(page);
    });

    it('security settings after an e-signature sign-in (close and open password login)', async () => {
      await page.goto(`${t.issuer}/account/security`);
      await page.click('#sign-in-with-signature');
      await page.click('[data-method="e-signature"]');
      await page.fill('#national_id', AYSE.nationalId);
      await page.click('#submit');
      const code = (await page.textContent('#transaction-code'))!.trim();
      const card = await softwareCard(pki.ca, { ...AYSE, profile: 'e-signature' });
      expect((await signerPost(t.issuer, code.replace('-', ''), card)).status).toBe(200);
      await page.waitForURL(`${t.issuer}/account/security`, { timeout: 15_000 });
      expect(await page.locator('#close-password-login').count()).toBe(1);
      await expectAccessible(page);
      await page.click('#close-password-login');
      await page.waitForURL(/notice=password_login_closed/);
      await expectAccessible(page);
      await page.click('#open-password-login');
      await page.waitForURL(/notice=password_login_opened/);
      await expectAccessible(page);
    });

    it('login history', async () => {
      await page.goto(`${t.issuer}/account/history`);
      expect(await page.locator('.history-entry').count()).toBeGreaterThan(0);
      await expectAccessible(page);
    });

    it('institutions that received data, and after a withdrawal', async () => {
      await page.goto(`${t.issuer}/account/history/institutions`);
      const withdraw = page.locator('button[name="withdraw"]');
      if (locale === 'tr') {
        expect(await withdraw.count()).toBe(1);
        await expectAccessible(page);
        await withdraw.click();
        await page.waitForURL(/withdrawn=/);
        expect(await page.getByRole('status').count()).toBe(1);
      }
      expect(await page.locator('section.institution').count()).toBe(1);
      await expectAccessible(page);
    });

    it('sessions, and the page after signing out everywhere', async () => {
      await page.goto(`${t.issuer}/account/sessions`);
      expect(await page.locator('[data-current="true"]').count()).toBe(1);
      await expectAccessible(page);
      await page.click('#sign-out-everywhere');
      await page.waitForLoadState();
      expect(await page.locator('#sign-in').count()).toBe(1);
      await expectAccessible(page);
    });
  });
});
