import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CDPSession, Page } from 'playwright-core';
import { passkeyModule } from '../index.js';
import { DEMO_CITIZENS } from '../../../src/demo/seed.js';
import { describeViolations, launchChromium, runAxe, watchCsp } from '../../../test/support/chromium.js';
import { startCrossOriginInstitution, type CrossOriginInstitution } from '../../../test/support/cross-origin-institution.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { setTwoFactor, smsCode } from '../../second-factor/test/support.js';

// Passkeys in real Chromium (issue 21 point 5), with the DevTools virtual authenticator (CDP WebAuthn
// domain: a CTAP2 platform authenticator with resident keys and user verification). Kapı runs on
// `localhost` and the institution on `127.0.0.1` (another origin, another site): the virtual
// authenticator refuses an IP address as the relying party. The person registers a passkey from a
// strong sign-in on the account page, signs out, signs in with it at the institution (acr substantial,
// amr hwk + pin: a device-bound key, user verified), removes it, and with two-factor on a second
// stage follows; "This wasn't me" on that passkey sign-in removes the passkey and says what to do. passkey.js runs as the page's same-origin script: no CSP violation is allowed.

const browser = await launchChromium();
const describeBrowser = browser ? describe : describe.skip;
const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };

async function click(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click(selector)]);
}

describeBrowser('passkeys in Chromium with a virtual authenticator, the institution on another origin', () => {
  let t: TestKapi;
  let institution: CrossOriginInstitution;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let blocked: string[];

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    institution = await startCrossOriginInstitution(t);
    const context = await browser!.newContext();
    page = await context.newPage();
    blocked = await watchCsp(page);
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await institution?.close();
    await t?.stop();
  });

  /** Password and the SMS code: a `substantial` sign-in to the passkey page (or `next`), just now. */
  async function strongSignIn(next = '/account/passkeys'): Promise<void> {
    await page.goto(`${t.issuer}/account/login?next=${encodeURIComponent(next)}&acr=substantial&again=1`);
    await page.fill('#national_id', ayse.nationalId);
    await page.fill('#password', ayse.password);
    await click(page, '#submit');
    if (await page.locator('[data-method="sms"]').count()) await click(page, '[data-method="sms"]');
    await page.fill('#code', smsCode(t, ayse.phone));
    await click(page, '#submit');
    expect(new URL(page.url()).pathname).toBe(next);
  }

  async function addPasskey(name: string): Promise<void> {
    await page.fill('#passkey-name', name);
    await click(page, '#passkey-add');
    expect(await page.textContent('h1')).toContain('Geçiş anahtarı oluşturun');
    await page.waitForSelector('#passkey-start:not([disabled])');
    await click(page, '#passkey-start');
    expect(await page.getAttribute('#passkeys-notice', 'data-notice')).toBe('registered');
  }

  async function signOut(): Promise<void> {
    await page.goto(`${t.issuer}/account`);
    await click(page, '#account-sign-out');
    if (await page.locator('#logout-yes').count()) await click(page, '#logout-yes');
  }

  /** At the institution: "Passkey" on Kapı's chooser, then the browser's passkey. */
  async function passkeyAtInstitution(): Promise<void> {
    await page.goto(institution.startUrl());
    expect(new URL(page.url()).hostname).toBe('localhost');
    await click(page, '[data-method="passkey"]');
    expect(describeViolations(await runAxe(page))).toBe('');
    await page.waitForSelector('#passkey-start:not([disabled])');
    await click(page, '#passkey-start');
  }

  async function allowIfAsked(): Promise<void> {
    if (new URL(page.url()).hostname === 'localhost' && (await page.locator('button[value="allow"]').count())) await click(page, 'button[value="allow"]');
  }

  it('registers a passkey on the account page after a strong sign-in; the authenticator holds it as a resident key', async () => {
    await strongSignIn();
    expect(describeViolations(await runAxe(page))).toBe('');
    await addPasskey('Bu bilgisayar');
    expect(await page.textContent('#passkeys tbody')).toContain('Bu bilgisayar');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');
    const account = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!;
    const [stored] = await t.kapi.exportsOf(passkeyModule).store.list(account.id);
    expect(Buffer.from(credentials[0]!.userHandle!, 'base64').toString('base64url')).toBe(stored!.userHandle);
    expect(blocked).toEqual([]);
  }, 90_000);

  it('signs out, then signs in with the passkey at the institution: acr substantial, amr hwk pin', async () => {
    await signOut();
    await passkeyAtInstitution();
    await allowIfAsked();
    expect(new URL(page.url()).origin).toBe(institution.origin);
    expect(await page.textContent('#acr')).toBe('substantial');
    expect(await page.textContent('#amr')).toBe('hwk pin');
    expect(await page.textContent('#name')).toContain('Ayşe');
    expect(blocked).toEqual([]);
  }, 90_000);

  it("removes the passkey; the authenticator's copy no longer signs in", async () => {
    // The passkey's own sign-in is substantial and fresh: it may remove a passkey.
    await page.goto(`${t.issuer}/account/passkeys`);
    await click(page, '#passkeys button[value="remove"]');
    expect(await page.getAttribute('#passkeys-notice', 'data-notice')).toBe('removed');
    expect(await page.locator('#no-passkeys').count()).toBe(1);
    await signOut();
    await passkeyAtInstitution();
    expect(new URL(page.url()).hostname).toBe('localhost');
    expect(await page.textContent('#error-message')).toContain('kayıtlı değil');
    // She deletes it from her device too (a discoverable get with two passkeys for one site asks which).
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
  }, 90_000);

  it('with two-factor on, a second stage follows the passkey', async () => {
    await strongSignIn();
    await addPasskey('Yeni anahtar');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await setTwoFactor(t, ayse.nationalId, true);
    await signOut();
    await passkeyAtInstitution();
    expect(await page.textContent('#step-notice')).toContain('Geçiş anahtarı');
    if (await page.locator('[data-method="sms"]').count()) await click(page, '[data-method="sms"]');
    await page.fill('#code', smsCode(t, ayse.phone));
    await click(page, '#submit');
    await allowIfAsked();
    expect(new URL(page.url()).origin).toBe(institution.origin);
    expect(await page.textContent('#acr')).toBe('substantial');
    expect(await page.textContent('#amr')).toBe('hwk pin sms otp');
    expect(blocked).toEqual([]);
  }, 90_000);

  it('"This wasn\'t me" on the passkey sign-in: the passkey is removed and the secured page says what to do; the copy no longer signs in', async () => {
    const account = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!;
    const entry = (await t.kapi.services
      .db('sign_ins')
      .where({ account_id: account.id, method: 'passkey+sms', result: 'success' })
      .orderBy('id', 'desc')
      .first('id')) as {
      id: string | number;
    };
    await signOut();
    await strongSignIn('/account/history');
    await click(page, `#not-me-${entry.id}`);
    expect(await page.getAttribute('#not-me-plan [data-step="disown-credential"]', 'data-step')).toBe('disown-credential');
    expect(describeViolations(await runAxe(page))).toBe('');
    await click(page, '#confirm-not-me');
    expect(new URL(page.url()).pathname).toBe('/account/history/not-me/done');
    expect(await page.textContent('[data-closed="passkey-credential"]')).toContain('geçiş anahtarı hesabınızdan kaldırıldı');
    expect(await page.locator('#not-me-steps [data-step="passkey-credential"]').count()).toBe(3);
    expect(describeViolations(await runAxe(page))).toBe('');
    expect(await t.kapi.exportsOf(passkeyModule).store.list(account.id)).toEqual([]);
    // The authenticator still holds its copy (Kapı cannot reach it: the page tells her to delete it); it signs nobody in.
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await passkeyAtInstitution();
    expect(new URL(page.url()).hostname).toBe('localhost');
    expect(await page.textContent('#error-message')).toContain('kayıtlı değil');
    expect(blocked).toEqual([]);
  }, 120_000);
});
