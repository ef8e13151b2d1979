import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeViolations, launchChromium, runAxe, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { signerPost, softwareCard, startTestPki, type TestPki } from '../support/smart-card.js';
import { consoleUrl, grantOperator } from '../attacks/operator-support.js';

// Issue 23 point 2 in real Chromium: the operator console's journey on the admin listener with the
// keyboard alone (Tab, typing, Space, Enter), in Turkish and in English, every page checked by axe-core
// with its real CSP: sign in at high, search, a refused registration (the error linked to its field),
// register, the secret shown once, approve national_id (who and when shown beside it), suspend and
// resume, the audit trail, the signing keys, offices and their registrars. Only the e-signature itself is driven by the test, as the
// signer program would.

jest.setTimeout(180_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

const ISMAIL = '23654859046'; // the administrator

async function expectAccessible(page: Page): Promise<void> {
  expect(describeViolations(await runAxe(page))).toBe('');
}

/** Presses Tab until the element is focused: it can be reached from the keyboard, in order. */
async function tabTo(page: Page, selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with Tab on ${page.url()}`);
}

async function enterOn(page: Page, selector: string, url: RegExp): Promise<void> {
  await tabTo(page, selector);
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

/** Enter on a form's button whose answer comes back to the same address (the institution's page). */
async function enterAndWait(page: Page, selector: string): Promise<void> {
  await tabTo(page, selector);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

async function tick(page: Page, selector: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.press('Space');
  expect(await page.isChecked(selector)).toBe(true);
}

describeBrowser('the operator console in Chromium, keyboard only (issue 23 point 2)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let name: { givenName: string; familyName: string };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: { ...pki.env, KAPI_ADMIN_PORT: '0' } });
    await grantOperator(t, ISMAIL, 'administrator');
    const person = (await t.kapi.services.registry.lookup(ISMAIL))!;
    name = { givenName: person.givenName, familyName: person.familyName };
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await pki?.close();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    it('sign in, search, register, the secret shown once, approve national_id, suspend and resume, the audit trail, the keys, offices and staff: axe-clean, by keyboard', async () => {
      const context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      const page = await context.newPage();
      const blocked = await watchCsp(page);
      const console = consoleUrl(t);
      try {
        // Sign-in at high through Kapı's login and the console's own client (the test plays the signer).
        await page.goto(`${console}/console?lang=${locale}`);
        await page.click('[data-method="e-signature"]');
        await page.fill('#national_id', ISMAIL);
        await page.click('#submit');
        const code = (await page.textContent('#transaction-code'))!.trim();
        expect(
          (await signerPost(t.issuer, code.replace('-', ''), await softwareCard(pki.ca, { nationalId: ISMAIL, ...name, profile: 'e-signature' }))).status,
        ).toBe(200);
        await page.waitForURL(`${console}/console`, { timeout: 15_000 });
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await page.textContent('#console-operator')).toContain(name.givenName);
        await expectAccessible(page);

        // Search: typed, Enter.
        await tabTo(page, '#q');
        await page.keyboard.type('demo');
        await Promise.all([page.waitForURL(/\/console\?q=demo$/), page.keyboard.press('Enter')]);
        expect(await page.locator('#institutions tbody tr').count()).toBeGreaterThanOrEqual(1);
        await expectAccessible(page);

        // Register: sent without a name, the error names the field and links to it.
        await enterOn(page, '#register', /\/console\/institutions\/new$/);
        await expectAccessible(page);
        await enterOn(page, '#settings-submit', /\/console\/institutions$/);
        expect(await page.locator('.error-summary a[href="#name"]').count()).toBe(1);
        expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');
        await expectAccessible(page);
        const institution = `Klavye Kurumu ${locale}`;
        await tabTo(page, '#name');
        await page.keyboard.type(institution);
        await tabTo(page, '#redirect_uris');
        await page.keyboard.type(`https://keyboard-${locale}.example/cb`);
        await tick(page, '#scope-profile');
        await enterOn(page, '#settings-submit', /\/console\/institutions$/);
        expect(await page.textContent('#client-secret')).toMatch(/[A-Za-z0-9_-]{40,}/);
        await expectAccessible(page);

        // The institution's page: approve national_id; who approved it is shown beside it.
        await enterOn(page, '#back-to-institution', /\/console\/institutions\/kapi-/);
        await expectAccessible(page);
        await tick(page, '#scope-national_id');
        await enterAndWait(page, '#claims-submit');
        expect(await page.textContent('#approval-national_id')).toContain(name.givenName);

        // Suspend with a reason, then resume.
        await tabTo(page, '#reason');
        await page.keyboard.type('klavye');
        await enterAndWait(page, '#suspend');
        expect(await page.isVisible('#suspended-notice')).toBe(true);
        await expectAccessible(page);
        await enterAndWait(page, '#resume');
        expect(await page.locator('#suspended-notice').count()).toBe(0);

        // The audit trail: the approval and the suspension, by this operator, in Türkiye time.
        await enterOn(page, '.office-nav a[href="/console/audit"]', /\/console\/audit$/);
        const actors = await page.locator('#audit tbody .audit-actor').allTextContents();
        expect(actors.slice(0, 4).every((a) => a.includes(name.givenName))).toBe(true);
        expect(await page.locator('#audit tbody tr').count()).toBeGreaterThanOrEqual(5);
        await expectAccessible(page);

        // The signing keys: their states and when the next ones may be activated.
        await enterOn(page, '.office-nav a[href="/console/keys"]', /\/console\/keys$/);
        expect(await page.locator('#keys tbody tr[data-state="active"]').count()).toBeGreaterThanOrEqual(1);
        expect(await page.locator('#next-rotation time').count()).toBe(1);
        await expectAccessible(page);

        // Offices and staff: add an office, a mistyped identity number refused at its field, a registrar
        // granted (her number masked in the list) and revoked.
        await enterOn(page, '.office-nav a[href="/console/offices"]', /\/console\/offices$/);
        await expectAccessible(page);
        await tabTo(page, '#code');
        await page.keyboard.type(`KLAVYE-${locale.toUpperCase()}`);
        await tabTo(page, '#name');
        await page.keyboard.type(`Klavye Şubesi ${locale}`);
        await enterOn(page, '#add-office', new RegExp(`/console/offices/KLAVYE-${locale.toUpperCase()}$`));
        await expectAccessible(page);
        await tabTo(page, '#national_id');
        await page.keyboard.type('12345678951');
        await enterAndWait(page, '#grant');
        expect(await page.locator('.error-summary a[href="#national_id"]').count()).toBe(1);
        expect(await page.getAttribute('#national_id', 'aria-invalid')).toBe('true');
        await expectAccessible(page);
        // Tab selects the field's text: the number typed again, its last digit corrected.
        await tabTo(page, '#national_id');
        await page.keyboard.type('12345678950');
        await enterAndWait(page, '#grant');
        expect(await page.locator('#staff tbody tr').allTextContents()).toEqual([expect.stringContaining('123******50')]);
        await expectAccessible(page);
        await enterAndWait(page, '#staff tbody button');
        expect(await page.locator('#no-staff').count()).toBe(1);
        expect(blocked).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
