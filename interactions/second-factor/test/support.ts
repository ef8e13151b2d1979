import { exportJWK, generateKeyPair, type JWK } from 'jose';
import * as client from 'openid-client';
import { accountFromPerson } from '../../../src/accounts/account-repository.js';
import { DeviceClient, newDeviceKeys, type PendingApproval } from '../../../src/device-client/client.js';
import { DEVICE_APP_CLIENT_ID, deviceAppRedirectUri } from '../device-api/client.js';
import { Browser, type Page } from '../../../test/support/browser.js';
import type { TestKapi } from '../../../test/support/kapi.js';
import { atCallback } from '../../../test/support/institution.js';

// Helpers of the second-factor tests: the citizen's side (browser pages, SMS outbox) and the app's side
// (a DPoP-bound token of the e-Devlet app, a registered device through the real device API).

export function smsCode(t: TestKapi, phone: string): string {
  const text = t.kapi.messaging.smsOutbox!.list(phone).find((m) => m.purpose === 'second_factor')?.text ?? '';
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in the latest SMS to ${phone}: ${text}`);
  return code;
}

/** Password, then whatever page comes next (the second stage, consent or the callback). */
export async function password(
  browser: Browser,
  start: string,
  nationalId: string,
  secret: string,
  stopAt: (l: string) => boolean = atCallback,
): Promise<Page> {
  const page = await browser.go(start, {}, stopAt);
  if (!page.html.includes('name="national_id"')) throw new Error(`expected the password form, got ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return browser.submit(page, { national_id: nationalId, password: secret }, { name: 'submit', value: 'login' }, stopAt);
}

/** Consent when asked, then the callback. */
export async function consent(browser: Browser, page: Page): Promise<Page> {
  if (!atCallback(page.url) && page.html.includes('name="decision"')) return browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return page;
}

/** A citizen of the registry fixtures with a password and a phone verified at `level` (default: from the registry). */
export async function citizen(
  t: TestKapi,
  nationalId: string,
  secret: string,
  phone: string,
  level: 'low' | 'substantial' | 'high' | 'registry' = 'registry',
): Promise<{ nationalId: string; password: string; phone: string }> {
  const person = await t.kapi.services.registry.lookup(nationalId);
  if (!person) throw new Error(`${nationalId} is not in the registry fixtures`);
  const existing = await t.kapi.services.accounts.findByNationalId(nationalId);
  const account = existing ?? (await t.kapi.services.accounts.create(accountFromPerson(person, { phone, phoneVerified: true })));
  await t.kapi.services.accounts.setPassword({ accountId: account.id, hash: await t.kapi.services.hasher.hash(secret), mustChange: false, origin: 'self' });
  await t.kapi.services.db('accounts').where({ id: account.id }).update({ phone, phone_verified: true, phone_verified_acr: level });
  return { nationalId, password: secret, phone };
}

export async function setTwoFactor(t: TestKapi, nationalId: string, on: boolean): Promise<string> {
  const account = await t.kapi.services.accounts.findByNationalId(nationalId);
  await t.kapi.services.accounts.setTwoFactorEnabled(account!.id, on);
  return account!.id;
}

/**
 * Signs in to the e-Devlet app (public client, PKCE, DPoP) with password + SMS (or the approver's device)
 * and returns its DPoP-bound tokens, and the SMS code the sign-in used, if any.
 */
export async function appToken(
  t: TestKapi,
  person: { nationalId: string; password: string; phone: string },
  approver?: DeviceClient,
): Promise<{ accessToken: string; refreshToken: string | undefined; dpopPrivateJwk: JWK; claims: Record<string, unknown>; smsCode: string | undefined }> {
  const config = await client.discovery(new URL(t.issuer), DEVICE_APP_CLIENT_ID, { id_token_signed_response_alg: 'RS256' }, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const keyPair = await generateKeyPair('ES256', { extractable: true });
  const dpop = client.getDPoPHandle(config, keyPair);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const redirect = deviceAppRedirectUri(t.issuer);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const landed = await appSignIn(t, url.href, person, approver);
  const tokens = await client.authorizationCodeGrant(config, new URL(landed.url), { pkceCodeVerifier: verifier, expectedState: state }, undefined, {
    DPoP: dpop,
  });
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    dpopPrivateJwk: await exportJWK(keyPair.privateKey),
    claims: tokens.claims() ?? {},
    smsCode: landed.smsCode,
  };
}

/**
 * The person's side of the app's sign-in: password, then the second stage (the account's device approves,
 * or the SMS code); returns the address the browser lands on (the app's redirect URI with the code).
 */
export async function signInAsApp(
  t: TestKapi,
  start: string,
  person: { nationalId: string; password: string; phone: string },
  approver?: DeviceClient,
): Promise<string> {
  return (await appSignIn(t, start, person, approver)).url;
}

async function appSignIn(
  t: TestKapi,
  start: string,
  person: { nationalId: string; password: string; phone: string },
  approver?: DeviceClient,
): Promise<{ url: string; smsCode?: string }> {
  const redirect = deviceAppRedirectUri(t.issuer);
  const browser = new Browser('e-Devlet/3.0 (kapi-e2e)');
  const atApp = (l: string) => l.startsWith(redirect);
  let page = await password(browser, start, person.nationalId, person.password, atApp);
  if (!atApp(page.url) && approver && page.html.includes('id="approval-number"')) {
    // The account already has a device: that device approves the new one's sign-in.
    await approver.answer(await approvalFor(approver, page), 'approve', numberOn(page));
    page = await browser.submit(page, {}, { name: 'action', value: 'continue' }, atApp);
  }
  let code: string | undefined;
  if (!atApp(page.url)) {
    code = smsCode(t, person.phone);
    page = await browser.submit(page, { code }, { name: 'action', value: 'verify' }, atApp);
  }
  if (!atApp(page.url)) throw new Error(`the app login did not finish: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return { url: page.url, ...(code ? { smsCode: code } : {}) };
}

/** A device registered through the device API (the library `kapi-device` uses). */
export async function registerDevice(
  t: TestKapi,
  token: { accessToken: string; dpopPrivateJwk: JWK },
  name = 'Test telefonu',
  pushToken = `push-${Math.random().toString(36).slice(2)}`,
): Promise<DeviceClient> {
  const device = new DeviceClient({ server: t.issuer, ...(await newDeviceKeys()) });
  await device.register({ name, accessToken: token.accessToken, dpopPrivateJwk: token.dpopPrivateJwk, pushToken });
  return device;
}

export function numberOn(page: Page): string {
  const n = /id="approval-number"[^>]*>(\d{2})</.exec(page.html)?.[1];
  if (!n) throw new Error(`no approval number on ${page.url}:\n${page.html.slice(0, 1500)}`);
  return n;
}

/**
 * The device's pending approval of the login on this page: the newest one. (The app no longer sees the
 * number among choices: the person types it, issue 25.)
 */
export async function approvalFor(device: DeviceClient, page: Page): Promise<PendingApproval> {
  numberOn(page);
  const found = (await device.pending()).sort((a, b) => b.iat - a.iat)[0];
  if (!found) throw new Error('no pending approval for this page');
  return found;
}

/** The QR payload, from the text shown beside the image for people who cannot scan. */
export function qrOn(page: Page): string {
  if (!/id="approval-qr" src="data:image\/png;base64,/.test(page.html)) throw new Error('no QR image on the page');
  const text = /id="approval-qr-text">([^<]+)</.exec(page.html)?.[1];
  if (!text) throw new Error('no QR payload on the page');
  return text;
}

/** The waiting page's "continue" (what poll.js does when the approval is no longer pending). */
export async function continueWaiting(browser: Browser, page: Page): Promise<Page> {
  return browser.submit(page, {}, { name: 'action', value: 'continue' }, atCallback);
}

/** The demo citizen's phone, as the registry gives it (the seed records no level). */
export async function phoneFromRegistry(t: TestKapi, nationalId: string): Promise<void> {
  await t.kapi.services.db('accounts').where({ national_id: nationalId }).update({ phone_verified: true, phone_verified_acr: 'registry' });
}
