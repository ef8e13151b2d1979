import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { passkeyModule } from '../index.js';
import { DEMO_CITIZENS } from '../../../src/demo/seed.js';
import { Browser, decode } from '../../../test/support/browser.js';
import { authRequest, exchange, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { SoftAuthenticator } from './soft-authenticator.js';
import { PAGE, addPasskey, answerWithPasskey, passkeyPage, smsCodeOf, strongSession } from './support.js';

// Passkeys over HTTP (issue 21 point 5), with a software authenticator: added from a fresh `substantial`
// sign-in, listed, used at an institution (acr substantial, amr from the ceremony), followed by a second
// stage when two-factor is on, renamed and removed. The Chromium journey is passkey-browser.test.ts.

const ayse = { ...DEMO_CITIZENS[0], phone: '+905321112233' };

describe('passkeys: add, sign in, second stage, rename, remove', () => {
  let t: TestKapi;
  let accountId: string;
  let institution: Awaited<ReturnType<typeof relyingParty>>;
  const authenticator = new SoftAuthenticator();
  const browser = new Browser();

  beforeAll(async () => {
    t = await startKapi({ issuerHost: 'localhost' });
    accountId = (await t.kapi.services.accounts.findByNationalId(ayse.nationalId))!.id;
    institution = await relyingParty(t, await registerInstitution(t));
  }, 60_000);
  afterAll(async () => t?.stop());

  async function signInAtInstitution(params: Record<string, string> = {}) {
    const req = await authRequest(institution, params);
    const person = new Browser('another-browser/1.0');
    const page = await passkeyPage(person, req.url.href);
    expect(page.html).toContain('data-passkey="get"');
    expect(page.html).toContain('src="/static/passkey/passkey.js"');
    const answered = await answerWithPasskey(t, person, page, authenticator);
    return { req, person, ...answered };
  }

  it('offers "Passkey" on the chooser and serves its script from the module\'s folder', async () => {
    const req = await authRequest(institution);
    const chooser = await new Browser().go(req.url.href);
    expect(chooser.html).toContain('data-method="passkey"');
    const script = await fetch(`${t.issuer}/static/passkey/passkey.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('navigator.credentials');
  });

  it('adds a passkey from a fresh substantial sign-in: listed with its name, an audit event, a notification, the other sessions ended', async () => {
    const elsewhere = new Browser('old-computer/1.0');
    await strongSession(t, elsewhere, ayse);
    const list = await strongSession(t, browser, ayse);
    expect(list.html).toContain('id="passkey-name"');
    const page = await addPasskey(t, browser, authenticator, 'Dizüstü <bilgisayarım>');
    expect(page.url).toContain(`${PAGE}?notice=registered`);
    expect(page.html).toContain('Dizüstü &lt;bilgisayarım&gt;');
    expect(page.html).toContain('Henüz kullanılmadı');
    const stored = await t.kapi.exportsOf(passkeyModule).store.list(accountId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Dizüstü <bilgisayarım>', deviceType: 'singleDevice', backedUp: false, transports: ['internal'], counter: 0 });
    const events = await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'passkey.registered' });
    expect(events).toHaveLength(1);
    expect(t.kapi.messaging.smsOutbox!.latest(ayse.phone)!.text).toMatch(/geçiş anahtarı eklendi/);
    expect((await t.kapi.services.sessions.listActive(accountId)).map((s) => s.userAgent)).toEqual(['kapi-e2e/1.0']);
  });

  it('signs in with the passkey at an institution: acr substantial, amr hwk + pin, a sign-in record with method passkey', async () => {
    const { req, page } = await signInAtInstitution();
    const tokens = await exchange(institution, req, page.url);
    const claims = tokens.claims()!;
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['hwk', 'pin']);
    const record = await t.kapi.services.db('sign_ins').where({ account_id: accountId, method: 'passkey' }).orderBy('at', 'desc').first();
    expect(record).toMatchObject({ result: 'success', acr: 'substantial' });
    const [stored] = await t.kapi.exportsOf(passkeyModule).store.list(accountId);
    expect(stored!.counter).toBe(1);
    expect(stored!.lastUsedAt).not.toBeNull();
  });

  it('a synced passkey (backup eligible) signs in with amr swk', async () => {
    const synced = new SoftAuthenticator({ backupEligible: true });
    await strongSession(t, browser, ayse);
    await addPasskey(t, browser, synced, 'Telefonum');
    const req = await authRequest(institution);
    const person = new Browser('synced/1.0');
    const { page } = await answerWithPasskey(t, person, await passkeyPage(person, req.url.href), synced);
    expect((await exchange(institution, req, page.url)).claims()!.amr).toEqual(['swk', 'pin']);
    const list = await browser.go(`${t.issuer}${PAGE}`);
    expect(list.html).toContain('Cihazlarınız arasında eşitlenir');
  });

  it('with two-factor on, a second stage follows the passkey', async () => {
    await t.kapi.services.accounts.setTwoFactorEnabled(accountId, true);
    try {
      const req = await authRequest(institution);
      const person = new Browser('second-stage/1.0');
      let { page } = await answerWithPasskey(t, person, await passkeyPage(person, req.url.href), authenticator);
      expect(page.html).toContain('id="step-notice"');
      if (page.html.includes('data-method="sms"')) page = await person.submit(page, {}, { name: 'method', value: 'sms' });
      page = await person.submit(page, { code: smsCodeOf(t, ayse.phone) }, { name: 'action', value: 'verify' }, (l) =>
        l.startsWith('https://institution.example/cb'),
      );
      if (page.html.includes('name="decision"'))
        page = await person.submit(page, {}, { name: 'decision', value: 'allow' }, (l) => l.startsWith('https://institution.example/cb'));
      const claims = (await exchange(institution, req, page.url)).claims()!;
      expect(claims.acr).toBe('substantial');
      expect(claims.amr).toEqual(['hwk', 'pin', 'sms', 'otp']);
    } finally {
      await t.kapi.services.accounts.setTwoFactorEnabled(accountId, false);
    }
  });

  it('renames and removes a passkey; a removed passkey no longer signs in', async () => {
    await strongSession(t, browser, ayse);
    let list = await browser.go(`${t.issuer}${PAGE}`);
    const [first] = await t.kapi.exportsOf(passkeyModule).store.list(accountId);
    list = await browser.submit(list, { name: 'İş bilgisayarı' }, { name: 'action', value: 'rename' });
    expect(list.url).toContain('notice=renamed');
    expect((await t.kapi.exportsOf(passkeyModule).store.findOwn(accountId, first!.id))!.name).toBe('İş bilgisayarı');
    const csrf = decode(/name="_csrf" value="([^"]+)"/.exec(list.html)![1]!);
    list = await browser.go(`${t.issuer}${PAGE}/${first!.id}/remove`, { form: { _csrf: csrf } });
    expect(list.url).toContain('notice=removed');
    expect(await t.kapi.exportsOf(passkeyModule).store.findOwn(accountId, first!.id)).toBeUndefined();
    expect(await t.kapi.services.db('audit_events').where({ account_id: accountId, type: 'passkey.removed' })).toHaveLength(1);

    const req = await authRequest(institution);
    const person = new Browser('after-removal/1.0');
    const { page } = await answerWithPasskey(t, person, await passkeyPage(person, req.url.href), authenticator);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Kapı&#39;da kayıtlı değil');
  });
});

describe('passkeys switched off (KAPI_PASSKEYS=false)', () => {
  it('offer no chooser entry and no account page', async () => {
    const t = await startKapi({ issuerHost: 'localhost', env: { KAPI_PASSKEYS: 'false' } });
    try {
      const institution = await relyingParty(t, await registerInstitution(t));
      const chooser = await new Browser().go((await authRequest(institution)).url.href);
      expect(chooser.html).not.toContain('data-method="passkey"');
      const browser = new Browser();
      const page = await browser.go(`${t.issuer}/account`);
      const signedIn = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' });
      expect(signedIn.html).not.toContain('/account/passkeys');
      expect((await browser.go(`${t.issuer}${PAGE}`)).status).toBe(404);
    } finally {
      await t.stop();
    }
  }, 60_000);
});
