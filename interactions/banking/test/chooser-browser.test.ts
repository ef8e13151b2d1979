import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { launchChromium, describeViolations, runAxe, watchCsp } from '../../../test/support/chromium.js';
import { authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { startBankWorld, type BankWorld } from './support.js';

// The bank chooser in real Chromium: accessible (axe-core), nothing blocked by its CSP, and the bank
// links really take the browser to the bank (a form post would be stopped by form-action) and back.

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('bank chooser in Chromium', () => {
  let w: BankWorld;
  beforeAll(async () => {
    w = await startBankWorld();
  });
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it('passes axe in both languages, goes to the bank and comes back signed in', async () => {
    const rp = await relyingParty(w.t, await registerInstitution(w.t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp)).url.href);
    await page.click('[data-method="banking"]');
    await page.waitForSelector('[data-bank="alfa-bank"]');
    expect(await page.textContent('h1')).toContain('İnternet Bankacılığı');
    expect(describeViolations(await runAxe(page))).toBe('');
    // English (asked by the institution; the page's own language link is the core's, see the report).
    const english = await context.newPage();
    const blockedEn = await watchCsp(english);
    await english.goto((await authRequest(rp, { ui_locales: 'en' })).url.href);
    await english.click('[data-method="banking"]');
    await english.waitForSelector('[data-bank="beta-bank"]');
    expect(await english.textContent('h1')).toContain('Sign in with online banking');
    expect(describeViolations(await runAxe(english))).toBe('');
    expect(blockedEn).toEqual([]);
    expect(await page.locator('img[src="/banking/logo/alfa-bank"]').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    await page.click('[data-bank="alfa-bank"]');
    await page.waitForURL((url) => url.href.startsWith(`${w.bankA.issuer}/login/`));
    expect(await page.textContent('.demo')).toContain('DEMO BANK');
    await page.fill('#login', '4000146');
    await page.fill('#password', 'Demo-Banka-146');
    await page.fill('#otp', '246810');
    await page.click('button[value="login"]');
    await page.waitForSelector('button[value="allow"]', { timeout: 10_000 }); // Kapı's consent page
    expect(page.url()).toContain(w.t.issuer);
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('shows a failure (cancelled at the bank) on an accessible page', async () => {
    const rp = await relyingParty(w.t, await registerInstitution(w.t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp, { ui_locales: 'en' })).url.href);
    await page.click('[data-method="banking"]');
    await page.click('[data-bank="beta-bank"]');
    await page.waitForURL((url) => url.href.startsWith(`${w.bankB.issuer}/login/`));
    await page.click('button[value="cancel"]');
    await page.waitForSelector('.error-summary');
    expect(await page.textContent('.error-summary')).toContain('You cancelled the sign-in at your bank');
    expect(describeViolations(await runAxe(page))).toBe('');
    expect(blocked).toEqual([]);
    await context.close();
  });
});
