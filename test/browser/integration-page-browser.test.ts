import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEMO_CLIENT_ID } from '../../src/demo/routes.js';
import { integrationView } from '../../src/web/integration/integration.js';
import { consoleUrl, grantOperator } from '../attacks/operator-support.js';
import { describeViolations, launchChromium, runAxe, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { signerPost, softwareCard, startTestPki, type TestPki } from '../support/smart-card.js';

// Issue 23 point 3 in real Chromium: the demo's public developer page and an institution's integration
// page in the operator console, in Turkish and in English, checked by axe-core with their real CSP and
// used with the keyboard alone: every table and example that scrolls is reached with Tab, the links
// followed with Enter. The example shown is the one test/e2e/integration-example.test.ts runs.

jest.setTimeout(180_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

const ISMAIL = '23654859046'; // the administrator

async function expectAccessible(page: Page): Promise<void> {
  expect(describeViolations(await runAxe(page))).toBe('');
}

async function tabTo(page: Page, selector: string, limit = 120): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with Tab on ${page.url()}`);
}

/** Every scrolling region of the page (tables, examples) is reached with Tab, in order. */
async function everyRegionByKeyboard(page: Page): Promise<void> {
  const regions = await page.locator('[role="region"][tabindex="0"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-labelledby')!));
  expect(regions.length).toBeGreaterThanOrEqual(5);
  for (const label of regions) await tabTo(page, `[role="region"][aria-labelledby="${label}"]`);
}

describeBrowser('the integration pages in Chromium, keyboard only (issue 23 point 3)', () => {
  let pki: TestPki;
  let t: TestKapi;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: { ...pki.env, KAPI_ADMIN_PORT: '0' } });
    await grantOperator(t, ISMAIL, 'auditor');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await pki?.close();
  });

  describe.each(['tr', 'en'] as const)('in %s', (locale) => {
    it('the demo developer page: the demo institution, its test citizens and the examples; axe-clean, by keyboard', async () => {
      const context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      const page = await context.newPage();
      const blocked = await watchCsp(page);
      try {
        await page.goto(`${t.issuer}/developers?lang=${locale}`);
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await page.textContent('[data-field="client_id"]')).toBe(DEMO_CLIENT_ID);
        expect(await page.locator('#citizens tbody tr').count()).toBe(4);
        const demo = (await t.kapi.services.clients.show(DEMO_CLIENT_ID))!;
        expect(await page.textContent('#example-node')).toBe(integrationView(demo.metadata, t.issuer, locale).examples.node);
        await expectAccessible(page);
        await everyRegionByKeyboard(page);
        await page.keyboard.press('Shift+Tab');
        await tabTo(page, 'a.lang');
        await tabTo(page, '#try-demo');
        await Promise.all([page.waitForURL(/\/demo$/), page.keyboard.press('Enter')]);
        expect(blocked).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it("an institution's integration page in the console, reached from the institution's page: axe-clean, by keyboard", async () => {
      const context = await browser!.newContext({ locale: locale === 'tr' ? 'tr-TR' : 'en-GB' });
      const page = await context.newPage();
      const blocked = await watchCsp(page);
      const console = consoleUrl(t);
      try {
        await page.goto(`${console}/console/institutions/${DEMO_CLIENT_ID}?lang=${locale}`);
        await page.click('[data-method="e-signature"]');
        await page.fill('#national_id', ISMAIL);
        await page.click('#submit');
        const code = (await page.textContent('#transaction-code'))!.trim();
        const person = (await t.kapi.services.registry.lookup(ISMAIL))!;
        expect(
          (
            await signerPost(
              t.issuer,
              code.replace('-', ''),
              await softwareCard(pki.ca, { nationalId: ISMAIL, givenName: person.givenName, familyName: person.familyName, profile: 'e-signature' }),
            )
          ).status,
        ).toBe(200);
        await page.waitForURL(`${console}/console/institutions/${DEMO_CLIENT_ID}`, { timeout: 15_000 });
        await tabTo(page, '#integration-of');
        await Promise.all([page.waitForURL(/\/integration$/), page.keyboard.press('Enter')]);
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await page.textContent('[data-field="discovery"]')).toBe(`${t.issuer}/.well-known/openid-configuration`);
        expect(await page.locator('#acr-amr tbody tr').count()).toBeGreaterThan(4);
        await expectAccessible(page);
        await everyRegionByKeyboard(page);
        await tabTo(page, '#back');
        await Promise.all([page.waitForURL(new RegExp(`/console/institutions/${DEMO_CLIENT_ID}$`)), page.keyboard.press('Enter')]);
        expect(blocked).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
