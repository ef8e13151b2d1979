import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { launchChromium, describeViolations, runAxe, watchCsp } from '../../../test/support/chromium.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { startTestbed, type Testbed } from './support.js';

// The mobile-signature pages in real Chromium: the form and the waiting page pass axe, stay within
// their CSP, and the waiting page continues by itself (no reload while it waits) once the phone signs;
// Cancel leads back to the chooser.

jest.setTimeout(60_000);
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('mobile-signature pages in Chromium', () => {
  let bed: Testbed;
  let t: TestKapi;
  beforeAll(async () => {
    bed = await startTestbed();
    t = await startKapi({ env: bed.env });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await bed?.close();
  });

  it('form and waiting page pass axe; the page continues on its own after the phone signs', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp)).url.href);
    await page.click('[data-method="mobile-signature"]');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.click('#submit'); // empty form: errors shown accessibly
    expect(await page.locator('.error-summary').count()).toBe(1);
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.getByLabel('T.C. kimlik numarası').fill('10000000146');
    await page.getByLabel('GSM numarası').fill('0530 000 00 10');
    await page.getByLabel('GSM operatörü').selectOption('turkcell');
    await page.click('#submit');
    const code = (await page.textContent('#verification-code'))!.trim();
    expect(code).toMatch(/^\d{4}$/);
    expect(await page.textContent('#summary')).toContain(code);
    expect(describeViolations(await runAxe(page))).toBe('');
    let navigations = 0;
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);
    await page.waitForTimeout(4500); // at least two polls while pending: no reload
    expect(navigations).toBe(0);
    const pending = bed.simulator.pending().find((p) => p.dataToBeDisplayed.includes(code))!;
    expect(bed.simulator.decide(pending.id, 'approve')).toBe(true);
    await page.waitForSelector('button[value="allow"]', { timeout: 15_000 }); // the consent page
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('Cancel returns to the chooser, in English too', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto((await authRequest(rp, { ui_locales: 'en' })).url.href);
    await page.click('[data-method="mobile-signature"]');
    await page.getByLabel('Identity number').fill('10000000146');
    await page.getByLabel('GSM number').fill('5300000010');
    await page.getByLabel('GSM operator').selectOption('vodafone');
    await page.click('#submit');
    await page.waitForSelector('#verification-code');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.click('#cancel');
    await page.waitForSelector('[data-method="mobile-signature"]');
    expect(await page.textContent('h1')).toContain('Choose');
    await context.close();
  });
});
