import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { launchChromium, describeViolations, runAxe, watchCsp } from '../../../test/support/chromium.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { signerPost, softwareCard, startTestPki, type TestPki } from '../../../test/support/smart-card.js';

// The smart-card waiting page in Chromium: accessible, allowed by its CSP, and it continues by itself
// (no reload while waiting) once the signer has posted.

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('smart-card waiting page in Chromium', () => {
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

  it('shows the code, passes axe, and continues on its own after the signer posts', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp)).url.href);
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.click('[data-method="e-signature"]');
    await page.getByLabel('T.C. kimlik numarası').fill('10000000146');
    await page.click('#submit');
    const code = (await page.textContent('#transaction-code'))!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(describeViolations(await runAxe(page))).toBe('');
    let navigations = 0;
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);
    await page.waitForTimeout(2500); // at least one poll while pending: no reload
    expect(navigations).toBe(0);
    const card = await softwareCard(pki.ca, { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz', profile: 'e-signature' });
    expect((await signerPost(t.issuer, code.replace('-', ''), card)).status).toBe(200);
    await page.waitForSelector('button[value="allow"]', { timeout: 10_000 }); // the consent page
    expect(blocked).toEqual([]);
    await context.close();
  });
});
