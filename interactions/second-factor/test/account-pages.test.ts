import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generate } from 'otplib';
import { DEMO_CITIZENS } from '../../../src/demo/seed.js';
import { newDeviceKeys } from '../../../src/device-client/client.js';
import { Browser, decode, type Page } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { secondFactorModule } from '../index.js';

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };
const PAGE = '/account/second-factors';

async function openPage(t: TestKapi, browser: Browser): Promise<Page> {
  let page = await browser.go(`${t.issuer}${PAGE}`);
  if (page.html.includes('name="national_id"')) {
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
  }
  return page;
}

/** A sign-in that may add or remove a factor: password and the SMS code (substantial), just now. */
async function openWithSecondStage(t: TestKapi, browser: Browser): Promise<Page> {
  let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(PAGE)}&acr=substantial&again=1`);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
  page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
  if (page.html.includes('data-method="sms"')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' });
  const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(ayse.phone)!.text)![1]!;
  return browser.submit(page, { code }, { name: 'action', value: 'verify' });
}

describe('account pages: two-factor authentication, e-Government Key, registered devices', () => {
  let t: TestKapi;
  let accountId: string;
  const browser = new Browser();

  beforeAll(async () => {
    t = await startKapi();
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
    await t.kapi.services.db('accounts').where({ id: accountId }).update({ phone_verified_acr: 'registry' });
  }, 60_000);
  afterAll(async () => t?.stop());

  it('turns two-factor authentication on and off, with an audit event and a notification each time', async () => {
    const elsewhere = new Browser('another-computer/1.0');
    await openPage(t, elsewhere); // a session signed in with the password alone
    let page = await openPage(t, browser);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="two-factor-state" data-state="off"');
    expect((await t.kapi.services.sessions.listActive(accountId)).length).toBe(2);
    page = await browser.submit(page, {}, { name: 'action', value: 'on' });
    // The session signed in without a second stage ends; this one stays.
    expect((await t.kapi.services.sessions.listActive(accountId)).map((x) => x.userAgent)).toEqual(['kapi-e2e/1.0']);
    expect(page.html).toContain('id="two-factor-state" data-state="on"');
    expect(page.html).toContain('id="second-factors-notice"');
    expect((await t.kapi.services.accounts.findById(accountId))!.twoFactorEnabled).toBe(true);
    expect(t.kapi.messaging.smsOutbox!.latest(ayse.phone)!.text).toMatch(/iki aşamalı doğrulama .* açıldı/);
    page = await browser.submit(page, {}, { name: 'action', value: 'off' });
    expect(page.html).toContain('id="two-factor-state" data-state="off"');
    expect(t.kapi.messaging.smsOutbox!.latest(ayse.phone)!.text).toMatch(/kapatıldı/);
    const events = await t.kapi.services
      .db('audit_events')
      .where({ account_id: accountId })
      .whereIn('type', ['account.two_factor_on', 'account.two_factor_off']);
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(['account.two_factor_off', 'account.two_factor_on']);
  });

  it('refuses a form without its CSRF token and changes nothing', async () => {
    const res = await browser.request(`${t.issuer}${PAGE}/two-factor`, { form: { action: 'on' } });
    expect(res.status).toBe(403);
    expect((await t.kapi.services.accounts.findById(accountId))!.twoFactorEnabled).toBe(false);
  });

  it('asks for a re-authentication when the sign-in is older than five minutes', async () => {
    const page = await openPage(t, browser);
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    const real = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => real() + 6 * 60_000);
    try {
      const stale = await browser.go(`${t.issuer}${PAGE}`);
      expect(stale.html).toContain('id="reauth"');
      expect(stale.html).not.toContain('id="two-factor-on"');
      const refused = await browser.request(`${t.issuer}${PAGE}/two-factor`, { form: { action: 'on', _csrf: csrf } });
      expect(refused.status).toBe(403);
    } finally {
      spy.mockRestore();
    }
    expect((await t.kapi.services.accounts.findById(accountId))!.twoFactorEnabled).toBe(false);
  });

  const withSecondStage = new Browser('kapi-e2e-second-stage/1.0');

  it('activates the e-Government Key only after the first valid code; removing it needs a fresh second stage or a strong login', async () => {
    // A password alone may not add it (the page offers a sign-in with a second stage instead).
    expect((await openPage(t, browser)).html).toContain('id="reauth-totp"');
    let page = await openWithSecondStage(t, withSecondStage);
    expect(page.url).toBe(`${t.issuer}${PAGE}`);
    page = await withSecondStage.submit(page, {}, { name: 'action', value: 'begin' });
    expect(page.html).toMatch(/id="totp-qr" src="data:image\/png;base64,/);
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.html)![1]!.replace(/ /g, '');
    expect(await t.kapi.exportsOf(secondFactorModule).totp.isActive(accountId)).toBe(false);
    const code = await generate({ secret });
    page = await withSecondStage.submit(page, { code: code === '000000' ? '111111' : '000000' }, { name: 'action', value: 'activate' });
    expect(page.status).toBe(400);
    expect(await t.kapi.exportsOf(secondFactorModule).totp.isActive(accountId)).toBe(false);
    page = await withSecondStage.submit(page, { code }, { name: 'action', value: 'activate' });
    expect(page.html).toContain('id="totp-state" data-state="active"');
    expect(await t.kapi.exportsOf(secondFactorModule).totp.isActive(accountId)).toBe(true);
    // The password-only session ended with the activation (a new factor ends the other sessions).
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(302);
    // Six minutes later the sign-in is stale: the page offers a new one instead, the post is refused.
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    const real = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => real() + 6 * 60_000);
    try {
      const stale = await withSecondStage.go(`${t.issuer}${PAGE}`);
      expect(stale.html).toContain('id="strong-sign-in"');
      expect(stale.html).not.toContain('id="totp-remove"');
      const refused = await withSecondStage.request(`${t.issuer}${PAGE}/totp/remove`, { form: { action: 'remove', _csrf: csrf } });
      expect(refused.status).toBe(403);
    } finally {
      spy.mockRestore();
    }
    expect(await t.kapi.exportsOf(secondFactorModule).totp.isActive(accountId)).toBe(true);
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'account.totp_activated' })).toHaveLength(1);
    // One code, two concurrent uses: exactly one wins (the stored time step is a conditional update).
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const results = await Promise.all([
      t.kapi.exportsOf(secondFactorModule).totp.check(accountId, next),
      t.kapi.exportsOf(secondFactorModule).totp.check(accountId, next),
    ]);
    expect(results.sort()).toEqual(['ok', 'reused']);
  });

  it('lists registered devices (name, registered, last used) and deletes them', async () => {
    const keys = await newDeviceKeys();
    const device = await t.kapi
      .exportsOf(secondFactorModule)
      .devices.register(accountId, { name: 'Ayşe’nin telefonu', publicJwk: keys.publicJwk, pushToken: 'push-1' });
    if (device === 'key_in_use') throw new Error('unexpected');
    // Deleting a device removes a factor: the fresh second stage of the test above may.
    let page = await withSecondStage.go(`${t.issuer}${PAGE}`);
    expect(page.html).toContain('Ayşe’nin telefonu');
    expect(page.html).toContain(`data-device-id="${device.id}"`);
    expect(page.html).toMatch(/Hiç kullanılmadı/);
    // The push token is sealed at rest.
    const row = await t.kapi.services.db('registered_devices').where({ id: device.id }).first();
    expect(row.push_token_sealed).not.toContain('push-1');
    page = await withSecondStage.submit(page, {}, { name: 'action', value: 'delete' });
    expect(page.html).not.toContain(`data-device-id="${device.id}"`);
    expect(await t.kapi.exportsOf(secondFactorModule).devices.find(device.id)).toBeUndefined();
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'device.deleted' })).toHaveLength(1);
  });

  it('shows the pages in English too', async () => {
    const page = await withSecondStage.go(`${t.issuer}${PAGE}?lang=en`);
    expect(page.html).toContain('Two-Factor Authentication');
    expect(page.html).toContain('Registered devices');
  });
});
