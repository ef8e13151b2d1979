import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { expectAccessible, launchChromium, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { signerPost, softwareCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { AYSE } from '../account/security-support.js';

// Issue 23 point 1 in real Chromium: the registrar console's journey with the keyboard alone (Tab,
// typing, arrow keys, Enter), in Turkish and in English, every page checked by axe-core with its real
// CSP: look a person up, try to issue without a document (the error, linked to its field), issue in
// person, the receipt and its print view, cancel, and the office's books in Türkiye time. Only the
// sign-in itself (e-signature with a test card) is driven by the test, as the signer program would.

jest.setTimeout(180_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

const ZEYNEP = '56789123416';
const ZEYNEP_CARD = 'D45E67890';

/** Presses Tab until the element is focused: it can be reached from the keyboard, in order. */
async function tabTo(page: Page, selector: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with Tab on ${page.url()}`);
}

/** A select changed from the keyboard: arrow keys until the wanted option is chosen. */
async function chooseWithArrows(page: Page, selector: string, value: string): Promise<void> {
  await tabTo(page, selector);
  for (let i = 0; i < 20; i++) {
    if ((await page.inputValue(selector)) === value) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`${value} was not reached in ${selector}`);
}

async function enterOn(page: Page, selector: string, url: RegExp): Promise<void> {
  await tabTo(page, selector);
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

describeBrowser('the registrar console in Chromium, keyboard only (issue 23 point 1)', () => {
  let pki: TestPki;
  let t: TestKapi;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await pki?.close();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    it('look up, a refused form, issue in person, the receipt and its print view, cancel, the office books: axe-clean, by keyboard', async () => {
      const context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      const page = await context.newPage();
      const blocked = await watchCsp(page);
      try {
        // Sign-in at high through the console's own client (the test plays the signer program).
        await page.goto(`${t.issuer}/office?lang=${locale}`);
        await page.click('[data-method="e-signature"]');
        await page.fill('#national_id', AYSE.nationalId);
        await page.click('#submit');
        const code = (await page.textContent('#transaction-code'))!.trim();
        expect((await signerPost(t.issuer, code.replace('-', ''), await softwareCard(pki.ca, { ...AYSE, profile: 'e-signature' }))).status).toBe(200);
        await page.waitForURL(`${t.issuer}/office`, { timeout: 15_000 });
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        await expectAccessible(page);

        // Look up: the number typed, Enter.
        await tabTo(page, '#national_id');
        await page.keyboard.type(ZEYNEP);
        await Promise.all([page.waitForURL(/\/office\/lookup$/), page.keyboard.press('Enter')]);
        expect(await page.textContent('#person-name')).toContain('Zeynep');
        expect(await page.locator('#checklist [data-document="tr_identity_card"]').count()).toBe(1);
        await expectAccessible(page);

        // The issue form, sent without a document: the error names the field and links to it.
        await enterOn(page, '#issue-start', /\/office\/issue\/form$/);
        await expectAccessible(page);
        await enterOn(page, '#issue-submit', /\/office\/issue$/);
        expect(await page.locator('.error-summary a[href="#doc0_type"]').count()).toBe(1);
        expect(await page.getAttribute('#doc0_type', 'aria-invalid')).toBe('true');
        await expectAccessible(page);

        // Corrected from the keyboard: the document's type with the arrow keys, its number typed.
        await chooseWithArrows(page, '#doc0_type', 'tr_identity_card');
        await tabTo(page, '#doc0_number');
        await page.keyboard.type(ZEYNEP_CARD);
        await enterOn(page, '#issue-submit', /\/office\/issue$/);
        expect(await page.textContent('#one-time-password')).toMatch(/\S{8,}/);
        await expectAccessible(page);

        // The receipt, and what a printer gets: the receipt alone, never the password.
        await enterOn(page, '#receipt-link', /\/office\/receipts\/issuance\//);
        const receipt = (await page.textContent('#receipt'))!;
        expect(receipt).toContain('567******16');
        expect(receipt).toContain(locale === 'tr' ? 'Europe/Istanbul' : 'Europe/Istanbul');
        await expectAccessible(page);
        await page.emulateMedia({ media: 'print' });
        expect(await page.isVisible('#receipt')).toBe(true);
        for (const hidden of ['header.top', 'footer', '.account-nav', '#print-hint', '#again']) expect(await page.isVisible(hidden)).toBe(false);
        await page.emulateMedia({ media: 'screen' });

        // Cancel: back to the start, look up again, the cancel form.
        await enterOn(page, '#again', /\/office$/);
        await tabTo(page, '#national_id');
        await page.keyboard.type(ZEYNEP);
        await Promise.all([page.waitForURL(/\/office\/lookup$/), page.keyboard.press('Enter')]);
        await enterOn(page, '#cancel-start', /\/office\/cancel\/form$/);
        await expectAccessible(page);
        await chooseWithArrows(page, '#doc0_type', 'tr_identity_card');
        await tabTo(page, '#doc0_number');
        await page.keyboard.type(ZEYNEP_CARD);
        await enterOn(page, '#cancel-submit', /\/office\/cancel$/);
        expect(await page.textContent('#cancelled-body')).toContain('Zeynep');
        await expectAccessible(page);

        // The office's books: both records, the clerk's name, Türkiye time.
        await enterOn(page, '.office-nav a[href="/office/history"]', /\/office\/history$/);
        const rows = page.locator('#history tbody tr');
        expect(await rows.count()).toBeGreaterThanOrEqual(2);
        expect(await page.locator('#history tbody tr[data-kind="cancellation"]').count()).toBeGreaterThanOrEqual(1);
        expect(await page.textContent('#history tbody tr:first-child .history-staff')).toContain('Ayşe');
        const at = (await page.getAttribute('#history tbody tr:first-child time', 'datetime'))!;
        const shown = new Intl.DateTimeFormat(locale === 'tr' ? 'tr-TR' : 'en-GB', {
          timeZone: 'Europe/Istanbul',
          dateStyle: 'short',
          timeStyle: 'short',
        }).format(new Date(at));
        expect(await page.textContent('#history tbody tr:first-child time')).toBe(shown);
        await expectAccessible(page);
        expect(blocked).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
