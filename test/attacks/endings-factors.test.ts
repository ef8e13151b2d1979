import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generate } from 'otplib';
import { newDeviceKeys } from '../../src/device-client/client.js';
import { Browser, decode, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { api, registerConsole, smartCardToken } from '../registrar/support.js';
import { AYSE, signInWithESignature } from '../account/security-support.js';
import { appToken, citizen, registerDevice, setTwoFactor } from '../../interactions/second-factor/test/support.js';
import { secondFactorModule } from '../../interactions/second-factor/index.js';

jest.setTimeout(180_000);

// Issue 19 point 4 and DESIGN.md (third round, "Factors"): adding or removing a second factor (the
// e-Government Key, a phone that confirms sign-ins, a registered device) needs a sign-in under five
// minutes old at `substantial` or higher; a `high` sign-in may always remove one; activating a factor
// ends the person's other sessions; the office removes them on request, in person or to a guardian,
// never by proxy. The matrix: which sign-in (level, age) may do what.

const PAGE = '/account/second-factors';
const ayse = { nationalId: AYSE.nationalId, password: AYSE.password, phone: '+905321112233' };
const MEHMET = '12345678950';
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const CAGLA = '10090908018';
const CAGLA_CARD = { type: 'tr_identity_card', number: 'C34D56789' };

type SignIn =
  | 'password (low), fresh'
  | 'password + SMS (substantial), fresh'
  | 'password + SMS (substantial), 6 minutes old'
  | 'e-signature (high), fresh'
  | 'e-signature (high), 6 minutes old';
const SIGN_INS: SignIn[] = [
  'password (low), fresh',
  'password + SMS (substantial), fresh',
  'password + SMS (substantial), 6 minutes old',
  'e-signature (high), fresh',
  'e-signature (high), 6 minutes old',
];
const MAY_ADD: Record<SignIn, boolean> = {
  'password (low), fresh': false,
  'password + SMS (substantial), fresh': true,
  'password + SMS (substantial), 6 minutes old': false,
  'e-signature (high), fresh': true,
  'e-signature (high), 6 minutes old': false,
};
const MAY_REMOVE: Record<SignIn, boolean> = { ...MAY_ADD, 'e-signature (high), 6 minutes old': true };

describe('attacks: a factor is added only where it could be removed (issue 19 point 4)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let accountId: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  /** No factor but the registry's phone, two-factor off: each case starts from here. */
  async function clean(): Promise<void> {
    await t.kapi.exportsOf(secondFactorModule).totp.deactivate(accountId);
    await t.kapi.services.db('registered_devices').where({ account_id: accountId }).delete();
    await t.kapi.services
      .db('accounts')
      .where({ id: accountId })
      .update({ two_factor_enabled: false, phone: ayse.phone, phone_verified: true, phone_verified_acr: 'registry' });
  }

  async function activeTotp(): Promise<void> {
    const setup = await t.kapi.exportsOf(secondFactorModule).totp.begin(accountId, 'Ayşe');
    if (setup === 'already_active') return;
    expect(await t.kapi.exportsOf(secondFactorModule).totp.check(accountId, await generate({ secret: setup.secret }), { activate: true })).toBe('ok');
  }

  async function device(): Promise<string> {
    const registered = await t.kapi
      .exportsOf(secondFactorModule)
      .devices.register(accountId, { name: 'Bir telefon', publicJwk: (await newDeviceKeys()).publicJwk, pushToken: 'push-x' });
    if (registered === 'key_in_use') throw new Error('unexpected');
    return registered.id;
  }

  const latestCode = (phone: string) => /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(phone)!.text)![1]!;

  // One sign-in of each kind serves its four cases (an action ends only the other sessions): the SMS
  // second stage has a budget of five codes per account in 15 minutes.
  const signIns = new Map<SignIn, Browser>();
  async function signedIn(how: SignIn): Promise<Browser> {
    const known = signIns.get(how);
    if (known && (await known.request(`${t.issuer}/account`)).status === 200) return known;
    const browser = await newSignIn(how);
    signIns.set(how, browser);
    return browser;
  }

  /** A browser signed in to the account pages in the given way, on the second-factors page. */
  async function newSignIn(how: SignIn): Promise<Browser> {
    const browser = new Browser();
    if (how.startsWith('e-signature')) {
      await signInWithESignature(t, pki, browser, PAGE);
    } else {
      const acr = how.startsWith('password + SMS') ? '&acr=substantial' : '';
      let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(PAGE)}${acr}&again=1`);
      if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
      page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
      // The step-up chooser (SMS, e-signature, ID card): the SMS code.
      if (page.html.includes('data-method="sms"')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' });
      if (page.html.includes('name="code"')) page = await browser.submit(page, { code: latestCode(ayse.phone) }, { name: 'action', value: 'verify' });
      if (page.url !== `${t.issuer}${PAGE}`) throw new Error(`not signed in: ${page.status} ${page.url}\n${page.html.slice(0, 3000)}`);
    }
    return browser;
  }

  /** Posts an account form as the browser's session, `minutesLater` after now. */
  async function post(browser: Browser, path: string, form: Record<string, string>, minutesLater: number): Promise<Response> {
    const page: Page = await browser.go(`${t.issuer}${PAGE}`);
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    const real = Date.now.bind(Date);
    const spy = minutesLater ? jest.spyOn(Date, 'now').mockImplementation(() => real() + minutesLater * 60_000) : undefined;
    try {
      return await browser.request(`${t.issuer}${path}`, { form: { ...form, _csrf: csrf } });
    } finally {
      spy?.mockRestore();
    }
  }

  const later = (how: SignIn) => (how.includes('6 minutes old') ? 6 : 0);

  for (const how of SIGN_INS) {
    it(`adding the e-Government Key after a sign-in "${how}": ${MAY_ADD[how] ? 'allowed' : 'refused (403), nothing stored'}`, async () => {
      await clean();
      const browser = await signedIn(how);
      const res = await post(browser, `${PAGE}/totp`, { action: 'begin' }, later(how));
      expect(res.status).toBe(MAY_ADD[how] ? 200 : 403);
      expect(await t.kapi.services.db('totp_credentials').where({ account_id: accountId }).first()).toEqual(MAY_ADD[how] ? expect.anything() : undefined);
    });

    it(`removing the e-Government Key after a sign-in "${how}": ${MAY_REMOVE[how] ? 'allowed' : 'refused (403), the key stays'}`, async () => {
      await clean();
      const browser = await signedIn(how);
      await activeTotp();
      const res = await post(browser, `${PAGE}/totp/remove`, { action: 'remove' }, later(how));
      expect(res.status).toBe(MAY_REMOVE[how] ? 303 : 403);
      expect(await t.kapi.exportsOf(secondFactorModule).totp.isActive(accountId)).toBe(!MAY_REMOVE[how]);
    });

    it(`deleting a registered device after a sign-in "${how}": ${MAY_REMOVE[how] ? 'allowed' : 'refused (403), the device stays'}`, async () => {
      await clean();
      const browser = await signedIn(how);
      const id = await device();
      const res = await post(browser, `${PAGE}/devices/${id}/delete`, { action: 'delete' }, later(how));
      expect(res.status).toBe(MAY_REMOVE[how] ? 303 : 403);
      expect(await t.kapi.exportsOf(secondFactorModule).devices.find(id)).toEqual(MAY_REMOVE[how] ? undefined : expect.anything());
    });

    it(`deleting the phone that confirms sign-ins after a sign-in "${how}": ${MAY_REMOVE[how] ? 'allowed' : 'refused (403), the phone stays'}`, async () => {
      await clean();
      const browser = await signedIn(how);
      // The contact pages themselves ask for a sign-in under five minutes old: the stale rows are refused there already.
      const page = await browser.go(`${t.issuer}/account/contacts`);
      const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
      const real = Date.now.bind(Date);
      const spy = later(how) ? jest.spyOn(Date, 'now').mockImplementation(() => real() + 6 * 60_000) : undefined;
      let res: Response;
      try {
        res = await browser.request(`${t.issuer}/account/contacts/phone`, { form: { action: 'delete', _csrf: csrf } });
      } finally {
        spy?.mockRestore();
      }
      expect(res.status).toBe(MAY_REMOVE[how] && !later(how) ? 303 : 403);
      expect((await t.kapi.services.accounts.findById(accountId))!.phone).toBe(MAY_REMOVE[how] && !later(how) ? null : ayse.phone);
    });
  }

  it('a phone verified in a password-only session is a contact, not a second factor', async () => {
    await clean();
    await t.kapi.services.db('accounts').where({ id: accountId }).update({ phone: null, phone_verified: false, phone_verified_acr: null });
    const browser = await newSignIn('password (low), fresh');
    const page = await browser.go(`${t.issuer}/account/contacts`);
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
    expect((await browser.request(`${t.issuer}/account/contacts/phone`, { form: { action: 'update', phone: '0532 111 22 33', _csrf: csrf } })).status).toBe(
      303,
    );
    const code = latestCode(ayse.phone);
    expect((await browser.request(`${t.issuer}/account/contacts/phone/verify`, { form: { code, _csrf: csrf } })).status).toBe(303);
    const account = (await t.kapi.services.accounts.findById(accountId))!;
    expect(account.phoneVerified).toBe(true);
    expect(account.phoneVerifiedAcr).toBe('low');
  });

  it("activating the e-Government Key ends the person's other sessions (an intruder's among them)", async () => {
    await clean();
    const intruder = await newSignIn('password (low), fresh');
    const owner = await signedIn('password + SMS (substantial), fresh');
    let page = await owner.submit(await owner.go(`${t.issuer}${PAGE}`), {}, { name: 'action', value: 'begin' });
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.html)![1]!.replace(/ /g, '');
    page = await owner.submit(page, { code: await generate({ secret }) }, { name: 'action', value: 'activate' });
    expect(page.html).toContain('id="totp-state" data-state="active"');
    expect((await intruder.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await owner.request(`${t.issuer}/account`)).status).toBe(200);
    await clean();
  });

  it("removing a factor ends the person's other sessions too", async () => {
    await clean();
    const id = await device();
    const other = await newSignIn('password (low), fresh');
    const owner = await signedIn('e-signature (high), fresh');
    expect((await post(owner, `${PAGE}/devices/${id}/delete`, { action: 'delete' }, 0)).status).toBe(303);
    expect((await other.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await owner.request(`${t.issuer}/account`)).status).toBe(200);
  });

  it('the device API registers a device only within five minutes of a substantial sign-in, and then ends the other sessions', async () => {
    const person = await citizen(t, '34567891238', 'Mavi-Kart-Sahibi-68', '+905551112233');
    await setTwoFactor(t, person.nationalId, true);
    const stale = await appToken(t, person);
    const real = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => real() + 6 * 60_000);
    try {
      // The access token itself lives 10 minutes; the sign-in behind it is 6 minutes old.
      await expect(registerDevice(t, stale)).rejects.toThrow(/403|five minutes/);
    } finally {
      spy.mockRestore();
    }
    const gulsen = (await t.kapi.services.accounts.findByNationalId(person.nationalId))!.id;
    expect(await t.kapi.exportsOf(secondFactorModule).devices.list(gulsen)).toEqual([]);
    const fresh = await appToken(t, person);
    const before = (await t.kapi.services.sessions.listActive(gulsen)).length;
    expect(before).toBeGreaterThanOrEqual(2);
    await registerDevice(t, fresh);
    expect(await t.kapi.exportsOf(secondFactorModule).devices.list(gulsen)).toHaveLength(1);
    expect((await t.kapi.services.sessions.listActive(gulsen)).length).toBe(1); // the app's own sign-in stays
  });

  describe('the office removes them on request: in person or by a guardian, never by proxy', () => {
    let registrar: string;
    let mehmet: string;

    beforeAll(async () => {
      registrar = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), AYSE.nationalId);
      mehmet = (await t.kapi.services.accounts.findByNationalId(MEHMET))!.id;
    });

    async function mehmetFactors() {
      const row = await t.kapi.services.db('accounts').where({ id: mehmet }).first('two_factor_enabled', 'phone_verified_acr');
      const passkeys = Number(
        (await t.kapi.services.db('passkey_credentials').where({ account_id: mehmet }).count<{ count: string }[]>('id as count'))[0]!.count,
      );
      return {
        totp: await t.kapi.exportsOf(secondFactorModule).totp.isActive(mehmet),
        devices: (await t.kapi.exportsOf(secondFactorModule).devices.list(mehmet)).length,
        passkeys,
        twoFactor: row.two_factor_enabled as boolean,
      };
    }

    async function giveMehmetFactors(): Promise<void> {
      const setup = await t.kapi.exportsOf(secondFactorModule).totp.begin(mehmet, 'Mehmet');
      if (setup !== 'already_active')
        await t.kapi.exportsOf(secondFactorModule).totp.check(mehmet, await generate({ secret: setup.secret }), { activate: true });
      await t.kapi.exportsOf(secondFactorModule).devices.register(mehmet, { name: 'Eski telefon', publicJwk: (await newDeviceKeys()).publicJwk });
      // A passkey too (an intruder's, say): the office removes every way in that a module counts as a factor.
      await t.kapi.services.db('passkey_credentials').insert({
        id: randomUUID(),
        credential_id: `cred-${randomUUID()}`,
        account_id: mehmet,
        user_handle: 'handle',
        public_key: 'pk',
        device_type: 'multiDevice',
        name: 'Tanımadığım anahtar',
      });
      await t.kapi.services.accounts.setTwoFactorEnabled(mehmet, true);
    }

    it('refuses to remove them through a proxy (422), and removes nothing', async () => {
      await giveMehmetFactors();
      const res = await api(t, registrar, 'POST', '/issuances', {
        national_id: MEHMET,
        channel: 'proxy',
        remove_second_factors: true,
        representative: {
          national_id: CAGLA,
          document: CAGLA_CARD,
          authority: { number: '2026/1', date: '2026-01-01', issuer: 'Ankara 5. Noterliği', authorises_password_receipt: true },
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('second_factors_by_proxy');
      expect(await mehmetFactors()).toEqual({ totp: true, devices: 1, passkeys: 1, twoFactor: true });
    });

    it('removes the e-Government Key, the devices, the passkeys and two-factor authentication when the person asks in person', async () => {
      const res = await api(t, registrar, 'POST', '/issuances', { national_id: MEHMET, documents: [MEHMET_CARD], remove_second_factors: true });
      expect(res.status).toBe(201);
      expect(res.body.second_factors_removed).toBe(true);
      expect(await mehmetFactors()).toEqual({ totp: false, devices: 0, passkeys: 0, twoFactor: false });
      expect(await t.kapi.services.db('audit_events').where({ account_id: mehmet, type: 'registrar.second_factors_removed' })).toHaveLength(1);
    });

    it('an ordinary issuance leaves them as they are', async () => {
      await giveMehmetFactors();
      const res = await api(t, registrar, 'POST', '/issuances', { national_id: MEHMET, documents: [MEHMET_CARD] });
      expect(res.status).toBe(201);
      expect(res.body.second_factors_removed).toBe(false);
      expect(await mehmetFactors()).toEqual({ totp: true, devices: 1, passkeys: 1, twoFactor: true });
    });
  });
});
