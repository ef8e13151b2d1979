import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchChromium, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { Browser } from '../support/browser.js';
import { authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { institutionSignIn } from '../account/security-support.js';
import { entryId, FIREFOX_LINUX, person, type Person } from './account-keeps-support.js';

jest.setTimeout(180_000);

// Issue 20 points 4 and 5 in real Chromium, with the pages' real CSP, checked by axe-core in Turkish and
// English: the login history as a list of cards with "This wasn't me", its confirmation and the page
// that says what happened; and "Verify it's me" answered by another person (the provider's logout of the
// earlier person runs as its own script in the browser), which ends on a page that says so.
// KAPI_SCREENSHOT_DIR=<dir> keeps a screenshot of each page checked with axe (test/support/chromium.ts).

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('account keeps: the login history and "This wasn\'t me", "Verify it\'s me" by another person (Chromium, axe-core)', () => {
  let t: TestKapi;
  let cagla: Person & { accountId: string };
  let gulsen: Person & { accountId: string };
  let institutionId: string;

  beforeAll(async () => {
    t = await startKapi();
    const institution = await registerInstitution(t, { name: 'Vergi Dairesi' });
    institutionId = institution.client_id as string;
    cagla = await person(t, '10090908018', 'Yesil-Vadi-Yuruyus-Yolu', '+905551230001');
    gulsen = await person(t, '34567891238', 'Mavi-Kart-Sahibi-68', '+905551230004');
    // The sign-in she will not recognise: her password, at the institution, from another computer.
    await institutionSignIn(new Browser(FIREFOX_LINUX), (await authRequest(await relyingParty(t, institution))).url.href, cagla);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    let context: BrowserContext;
    let page: Page;
    let blocked: string[];

    beforeAll(async () => {
      await t.kapi.services.accounts.setPasswordLoginEnabled(cagla.accountId, true);
      context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB', viewport: { width: 900, height: 900 } });
      page = await context.newPage();
      blocked = await watchCsp(page);
    });
    afterAll(async () => {
      expect(blocked).toEqual([]);
      await context?.close();
    });

    it('the history (one card per sign-in), the confirmation and what happened', async () => {
      await page.goto(`${t.issuer}/account/history?lang=${locale}`);
      await page.fill('#national_id', cagla.nationalId);
      await page.fill('#password', cagla.password);
      await page.click('button[value="login"]');
      await page.waitForURL(/\/account\/history(\?|$)/);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      const id = await entryId(t, cagla.accountId, { userAgent: FIREFOX_LINUX, clientId: institutionId });
      const card = page.locator(`li.history-entry[data-id="${id}"]`);
      expect(await card.locator('h2').innerText()).toContain('Vergi Dairesi');
      expect(await card.locator('[data-field="device"]').innerText()).toBe('Firefox 121 · Linux');
      expect(await card.locator('[data-field="place"]').innerText()).toBe(locale === 'tr' ? 'yerel ağ' : 'a local network');
      await expectAccessible(page);

      await card.locator(`#not-me-${id}`).click();
      await page.waitForSelector('#confirm-not-me');
      expect(await page.locator('#not-me-plan [data-step="close-password"]').count()).toBe(1);
      await expectAccessible(page);

      await page.click('#confirm-not-me');
      await page.waitForURL(`${t.issuer}/account/history/not-me/done`);
      expect(await page.locator('#not-me-done').innerText()).toContain(
        locale === 'tr' ? 'tüm oturumlarınız sonlandırıldı' : 'Every session of yours has ended',
      );
      expect(await page.locator('[data-closed="password"]').count()).toBe(1);
      await expectAccessible(page);
      expect((await t.kapi.services.accounts.findById(cagla.accountId))!.passwordLoginEnabled).toBe(false);
    });

    it('"Verify it\'s me" answered by another person: a new session, and a page that says so', async () => {
      // Çağla signs in again (her password login reopened for the test) and leaves the browser.
      await t.kapi.services.accounts.setPasswordLoginEnabled(cagla.accountId, true);
      await page.goto(`${t.issuer}/account/contacts?lang=${locale}`);
      await page.fill('#national_id', cagla.nationalId);
      await page.fill('#password', cagla.password);
      await page.click('button[value="login"]');
      await page.waitForURL(/\/account\/contacts(\?|$)/);
      await page.goto(`${t.issuer}/account/login?next=%2Faccount%2Fcontacts&again=1&lang=${locale}`);
      await page.fill('#national_id', gulsen.nationalId);
      await page.fill('#password', gulsen.password);
      await page.click('button[value="login"]');
      await page.waitForSelector('#switched-notice');
      expect(page.url()).toBe(`${t.issuer}/account/switched`);
      expect(await page.locator('#switched-notice').innerText()).toContain('Gülşen Aydın');
      await expectAccessible(page);
      // Continue: her own overview, not the page the earlier person had asked for.
      await page.click('#switched-continue');
      await page.waitForURL(`${t.issuer}/account`);
      expect(await page.locator('main p').first().innerText()).toContain('Gülşen Aydın');
    });
  });
});
