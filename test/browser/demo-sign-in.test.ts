import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { launchChromium, watchCsp } from '../support/chromium.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// The demo institution signs Ayşe in through Kapı in real headless Chromium: the hosted pages, their
// strict Content-Security-Policy, the keyboard, the language switch and the error summary.

const ayse = DEMO_CITIZENS[0];
const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;

describeBrowser('signing in to the demo institution in Chromium', () => {
  let t: TestKapi;
  let shots: string;
  let context: BrowserContext;
  let blocked: string[][];
  let shot = 0;

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  }

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    blocked.push(await watchCsp(page));
    return page;
  }

  beforeAll(async () => {
    t = await startKapi();
    shots = mkdtempSync(path.join(tmpdir(), 'kapi-screens-'));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (process.env.KAPI_KEEP_SCREENSHOTS) console.log(`screenshots in ${shots}`);
    else if (shots) rmSync(shots, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1024, height: 768 } });
    blocked = [];
  });
  afterEach(async () => {
    await context.close();
    expect(blocked.flat()).toEqual([]); // nothing the pages need was blocked by their CSP
  });

  it('signs Ayşe in with the keyboard, asks consent and shows the verified claims at the institution', async () => {
    const page = await newPage();
    const demo = await page.goto(`${t.issuer}/demo`);
    expect(demo?.headers()['content-security-policy']).toContain("script-src 'self'");
    await screenshot(page, 'demo');

    const [login] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/interaction/') && r.request().resourceType() === 'document'),
      page.locator('#sign-in').click(),
    ]);
    await page.waitForLoadState();
    expect(login.headers()['content-security-policy']).toMatch(/default-src 'none'.*script-src 'self'/);
    expect(await page.locator('html').getAttribute('lang')).toBe('tr');
    await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(ayse.nationalId);
    await page.getByLabel('Şifre', { exact: true }).fill(ayse.password);
    await screenshot(page, 'password');
    // From the password field, Tab reaches the submit button and Enter presses it.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('value'))).toBe('login');
    await page.keyboard.press('Enter');
    // waitForLoadState alone can return before the post has even left (the password page is still
    // loaded): wait until that page is gone, then read the one that replaced it.
    await page.getByLabel('Şifre', { exact: true }).waitFor({ state: 'detached' });
    await page.waitForLoadState();

    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Bilgilerinizin paylaşılması');
    expect(await page.locator('[data-claim]').evaluateAll((els) => els.map((e) => e.getAttribute('data-claim')))).toEqual(
      expect.arrayContaining(['name', 'national_id']),
    );
    await screenshot(page, 'consent');
    await page.getByRole('button', { name: 'İzin ver', exact: true }).click();

    await page.waitForURL(`${t.issuer}/demo`);
    await screenshot(page, 'demo-signed-in');
    expect(await page.locator('[data-claim="acr"]').textContent()).toBe('low');
    expect(JSON.parse((await page.locator('[data-claim="amr"]').textContent()) ?? '[]')).toContain('pwd');
    expect(await page.locator('[data-claim="national_id"]').textContent()).toBe(ayse.nationalId);
    expect(await page.locator('[data-claim="name"]').textContent()).toBe('Ayşe Yılmaz');
    expect(await page.locator('#sign-out').isVisible()).toBe(true);
  });

  it('switches the hosted page to English with the language link', async () => {
    const page = await newPage();
    await page.goto(`${t.issuer}/demo`);
    await page.locator('#sign-in').click();
    await page.waitForURL(/\/interaction\//);
    await page.getByRole('navigation').getByRole('link', { name: 'English' }).click();
    await page.waitForLoadState();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // The chooser: the password form first, then the passkey.
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Choose how to sign in');
    expect(await page.getByLabel('Identity number', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Türkçe' }).getAttribute('lang')).toBe('tr');
    await screenshot(page, 'password-en');

    // The choice holds for the rest of the sign-in.
    await page.getByLabel('Identity number', { exact: true }).fill(ayse.nationalId);
    await page.getByLabel('Password', { exact: true }).fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('alert').textContent()).toContain('The identity number or the password is wrong.');
  });

  it('shows a wrong password in an error summary that links to the field, which is marked invalid', async () => {
    const page = await newPage();
    await page.goto(`${t.issuer}/demo`);
    await page.locator('#sign-in').click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(ayse.nationalId);
    await page.getByLabel('Şifre', { exact: true }).fill('Yanlis-Sifre-123');
    await page.getByLabel('Şifre', { exact: true }).press('Enter');
    await page.waitForLoadState();
    await screenshot(page, 'password-error');

    const summary = page.getByRole('alert');
    expect(await summary.isVisible()).toBe(true);
    expect((await summary.getByRole('heading').textContent())?.trim()).toBe('Lütfen aşağıdaki hatayı düzeltin');
    const link = summary.getByRole('link', { name: 'Kimlik numarası veya şifre hatalı.' });
    expect(await link.getAttribute('href')).toBe('#password');

    const field = page.getByLabel('Şifre', { exact: true });
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.evaluate((el) => (el as HTMLInputElement).value)).toBe(''); // a wrong password is not echoed back
    expect(await page.getByLabel('T.C. kimlik numarası', { exact: true }).inputValue()).toBe(ayse.nationalId);
    // The field's own error message is read with it.
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy.split(' ').join(', #')}`).allTextContents()).toContain('Kimlik numarası veya şifre hatalı.');

    // Following the summary link with the keyboard lands in the field.
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'password', undefined, { timeout: 5_000 });
  });

  it('notices what the CSP blocks (the check above is not blind)', async () => {
    const page = await context.newPage();
    const seen = await watchCsp(page); // kept out of `blocked`: this page is meant to break the policy
    await page.goto(`${t.issuer}/demo`);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.title = "inline"';
      document.body.append(script);
    });
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen.join('\n')).toMatch(/Content Security Policy/);
    expect(await page.title()).not.toBe('inline');
  });
});
