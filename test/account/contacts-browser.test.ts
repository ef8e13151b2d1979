import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { expectAccessible, launchChromium } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

jest.setTimeout(120_000);

// The pages of issue 3 built here (change password, contact options, forgot my password, the dev
// outbox) in real headless Chromium with their real CSP: axe-core (WCAG 2.0/2.1 A and AA, best
// practice) finds nothing, in Turkish and in English, with and without errors shown.

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;
const ayse = DEMO_CITIZENS[0];
// The reset below sets a new password (the current one again is refused, issue 20 point 5); the pages
// after it sign in with whatever it set last.
let password: string = ayse.password;

describeBrowser('accessibility of the password, contact and reset pages', () => {
  let t: TestKapi;

  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      page = await context.newPage();
      await page.goto(`${t.issuer}/account/reset?lang=${locale}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('forgot my password: the start page, with and without errors', async () => {
      await page.goto(`${t.issuer}/account/reset`);
      await expectAccessible(page);
      await page.locator('#national_id').fill('12345');
      await page.locator('#submit').click();
      await page.waitForLoadState();
      expect(await page.locator('#national_id-error').count()).toBe(1);
      await expectAccessible(page);
    });

    it('forgot my password: the refusal for foreigners', async () => {
      await page.goto(`${t.issuer}/account/reset`);
      await page.locator('#national_id').fill('99234567106');
      await page.locator('#birthdate').fill('1988-12-30');
      await page.locator('#document_serial').fill('Y99887766');
      await page.locator('#phone').fill('05320000000');
      await page.locator('#submit').click();
      await page.waitForLoadState();
      expect(await page.locator('#reset-refused').count()).toBe(1);
      await expectAccessible(page);
    });

    it('forgot my password: the code page (with an error), the new-password page, the end', async () => {
      await page.goto(`${t.issuer}/account/reset`);
      await page.locator('#national_id').fill(ayse.nationalId);
      await page.locator('#birthdate').fill('1985-04-12');
      await page.locator('#document_serial').fill('A12B34567');
      await page.locator('#phone').fill(ayse.phone);
      await page.locator('#submit').click();
      await page.waitForURL(`${t.issuer}/account/reset/code`);
      await expectAccessible(page);
      const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(ayse.phone)!.text)![1]!;
      await page.locator('#sms_code').fill(code === '000000' ? '111111' : '000000');
      await page.locator('#submit').click();
      await page.waitForLoadState();
      expect(await page.locator('#sms_code-error').count()).toBe(1);
      await expectAccessible(page);
      await page.locator('#sms_code').fill(code);
      await page.locator('#submit').click();
      await page.waitForURL(`${t.issuer}/account/reset/password`);
      await expectAccessible(page);
      await page.locator('#new_password').fill('short');
      await page.locator('#new_password_confirm').fill('short');
      await page.locator('#submit').click();
      await page.waitForLoadState();
      expect(await page.locator('#new_password-error').count()).toBe(1);
      await expectAccessible(page);
      const renewed = `Yeni-Bir-Sifre-${locale}-Kapi-Gunu`;
      await page.locator('#new_password').fill(renewed);
      await page.locator('#new_password_confirm').fill(renewed);
      await page.locator('#submit').click();
      await page.waitForURL(`${t.issuer}/account/reset/done`);
      password = renewed;
      await expectAccessible(page);
    });

    it('change my password (with an error) and contact options (with a pending code)', async () => {
      await page.goto(`${t.issuer}/account/password`);
      if (await page.locator('[data-method="password"]').count()) await page.locator('[data-method="password"]').click();
      await page.locator('#national_id').fill(ayse.nationalId);
      await page.locator('#password').fill(password);
      await page.locator('#submit').click();
      await page.waitForURL(`${t.issuer}/account/password`);
      await expectAccessible(page);
      await page.locator('#current_password').fill('not-the-password');
      await page.locator('#new_password').fill('Kuzey-Yildizi-Parlak-7');
      await page.locator('#new_password_confirm').fill('Kuzey-Yildizi-Parlak-7');
      await page.locator('#submit').click();
      await page.waitForLoadState();
      expect(await page.locator('#current_password-error').count()).toBe(1);
      await expectAccessible(page);

      await page.goto(`${t.issuer}/account/contacts`);
      await expectAccessible(page);
      await page.locator('#phone').fill('0533 444 55 6');
      await page.locator('#update-phone').click();
      await page.waitForLoadState();
      expect(await page.locator('#phone-error').count()).toBe(1);
      await expectAccessible(page);
      await page.locator('#email').fill(`yeni.${locale}@example.org`);
      await page.locator('#update-email').click();
      await page.waitForURL(/notice=email_code_sent/);
      expect(await page.locator('#email_code').count()).toBe(1);
      await expectAccessible(page);
    });

    it('the development outbox', async () => {
      await page.goto(`${t.issuer}/dev/outbox`);
      expect(await page.locator('#outbox-sms tbody tr').count()).toBeGreaterThan(0);
      await expectAccessible(page);
    });
  });
});
