import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_CITIZENS } from '../../../src/demo/seed.js';
import type { DeviceClient } from '../../../src/device-client/client.js';
import { launchChromium, describeViolations, runAxe, watchCsp } from '../../../test/support/chromium.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { appToken, phoneFromRegistry, registerDevice, setTwoFactor, smsCode } from './support.js';

// The second stage's pages and the account page in real Chromium: clean under axe-core, allowed by
// their CSP (the QR code is a data: image), and the device waiting page continues on its own.

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('second-factor pages in Chromium', () => {
  let t: TestKapi;
  let device: DeviceClient;
  beforeAll(async () => {
    t = await startKapi();
    await phoneFromRegistry(t, ayse.nationalId);
    await setTwoFactor(t, ayse.nationalId, true);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('SMS code page: accessible, with and without an error', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp)).url.href);
    await page.fill('#national_id', ayse.nationalId);
    await page.fill('#password', ayse.password);
    await page.click('#submit');
    await page.waitForSelector('#code');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.fill('#code', '12');
    await page.click('#submit');
    await page.waitForSelector('.error-summary');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.fill('#code', smsCode(t, ayse.phone));
    await page.click('#submit');
    await page.waitForSelector('button[value="allow"]', { timeout: 10_000 });
    expect(blocked).toEqual([]);
    await context.close();
  }, 60_000);

  it('device waiting page: number and QR code, accessible, continues by itself after the approval', async () => {
    device = await registerDevice(t, await appToken(t, ayse), 'Ayşe’nin telefonu');
    const rp = await relyingParty(t, await registerInstitution(t));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto((await authRequest(rp)).url.href);
    await page.fill('#national_id', ayse.nationalId);
    await page.fill('#password', ayse.password);
    await page.click('#submit');
    const number = (await page.textContent('#approval-number'))!.trim();
    expect(await page.evaluate(() => (document.getElementById('approval-qr') as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(describeViolations(await runAxe(page))).toBe('');
    const approval = (await device.pending()).sort((a, b) => b.iat - a.iat)[0]!; // the person types the number
    expect(await device.answer(approval, 'approve', number)).toBe('approved');
    await page.waitForSelector('button[value="allow"]', { timeout: 10_000 });
    expect(blocked).toEqual([]);
    await context.close();
  }, 90_000);

  it('account page and e-Government Key activation: accessible', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const blocked = await watchCsp(page);
    await page.goto(`${t.issuer}/account/second-factors`);
    await page.fill('#national_id', ayse.nationalId);
    await page.fill('#password', ayse.password);
    await page.click('#submit');
    const number = (await page.textContent('#approval-number'))!.trim();
    const approval = (await device.pending()).sort((a, b) => b.iat - a.iat)[0]!; // the person types the number
    await device.answer(approval, 'approve', number);
    await page.waitForSelector('#devices', { timeout: 10_000 });
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.click('#totp-begin');
    await page.waitForSelector('#totp-qr');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.fill('#code', '000000');
    await page.click('#totp-activate');
    await page.waitForSelector('.error-summary');
    expect(describeViolations(await runAxe(page))).toBe('');
    expect(blocked).toEqual([]);
    await context.close();
  }, 90_000);
});
