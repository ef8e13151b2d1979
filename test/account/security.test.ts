import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { AYSE, csrfOf, currentUid, institutionSignIn, openWithPassword, signInWithESignature } from './security-support.js';

jest.setTimeout(60_000);

describe('security settings: password login and access restrictions', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;
  let accountId: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t));
    accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const events = async (type: string) =>
    (await t.kapi.services.db('audit_events').where({ account_id: accountId, type })) as { detail: Record<string, unknown> }[];

  it('refuses to close password login in a password session, and says how to get a session that may', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/security');
    expect(page.url).toBe(`${t.issuer}/account/security`);
    expect(page.html).toContain('id="sign-in-with-signature"');
    expect(page.html).not.toContain('id="close-password-login"');
    const res = await browser.request(`${t.issuer}/account/security/password-login`, { form: { _csrf: csrfOf(page), action: 'close' } });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('e-İmza'); // "only in a session signed in with one of: e-İmza, Mobil İmza"
    expect(html).toContain('id="sign-in-again"');
    expect((await t.kapi.services.accounts.findById(accountId))!.passwordLoginEnabled).toBe(true);
    expect(await events('account.password_login_closed')).toHaveLength(0);
  });

  it('refuses it in a session proved with the ID card too: the FAQ names e-signature and mobile signature, not the level', async () => {
    const browser = new Browser();
    const page = await signInWithESignature(t, pki, browser, '/account/security', AYSE, 'id-card');
    expect(page.url).toBe(`${t.issuer}/account/security`);
    expect(page.html).toContain('id="sign-in-with-signature"'); // acr high, still not allowed
    const res = await browser.request(`${t.issuer}/account/security/password-login`, { form: { _csrf: csrfOf(page), action: 'close' } });
    expect(res.status).toBe(403);
    expect((await t.kapi.services.accounts.findById(accountId))!.passwordLoginEnabled).toBe(true);
  });

  it('closes password login after an e-signature sign-in: audit, notification, other sessions ended, password refused with how to reopen', async () => {
    const other = new Browser();
    expect((await openWithPassword(t, other)).status).toBe(200);
    const browser = new Browser();
    await openWithPassword(t, browser); // a password session first: the e-signature sign-in replaces its proof
    const page = await signInWithESignature(t, pki, browser, '/account/security');
    expect(page.url).toBe(`${t.issuer}/account/security`);
    expect(page.html).toContain('id="close-password-login"');
    const smsBefore = t.kapi.messaging.smsOutbox!.list(AYSE.phone).length;

    const done = await browser.submit(page, {}, { name: 'action', value: 'close' });
    expect(done.url).toBe(`${t.issuer}/account/security?notice=password_login_closed`);
    expect(done.html).toContain('data-state="closed"');
    expect(done.html).toContain('id="open-password-login"');
    expect((await t.kapi.services.accounts.findById(accountId))!.passwordLoginEnabled).toBe(false);
    const [event] = await events('account.password_login_closed');
    expect(event!.detail).toMatchObject({ methods: ['e-signature'] });
    const sms = t.kapi.messaging.smsOutbox!.list(AYSE.phone);
    expect(sms.length).toBe(smsBefore + 1);
    expect(sms[0]!.text).toContain('şifre ile giriş');
    expect(t.kapi.messaging.mailOutbox!.list().some((m) => m.to === AYSE.email && m.subject === 'Şifre ile giriş kapatıldı')).toBe(true);

    // The other session ended; this one stays.
    expect((await other.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await browser.request(`${t.issuer}/account`)).status).toBe(200);

    // A double submit changes nothing more.
    const again = await browser.request(`${t.issuer}/account/security/password-login`, { form: { _csrf: csrfOf(done), action: 'close' } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/account/security?notice=unchanged');
    expect(await events('account.password_login_closed')).toHaveLength(1);

    // A password sign-in at an institution is refused as a wrong password is (a right password must not
    // stand out while sign-in is closed: test/attacks/closed-password-login.test.ts), with the way out.
    const refused = await institutionSignIn(new Browser(), (await authRequest(rp)).url.href);
    expect(atCallback(refused.url)).toBe(false);
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('Şifreyle girişi kapattıysanız e-imza, mobil imza');
    const english = await institutionSignIn(new Browser(), (await authRequest(rp, { ui_locales: 'en' })).url.href);
    expect(english.html).toContain('If you closed password sign-in, sign in with e-signature');

    // And it is shown in the login history as refused.
    const refusedRows = await t.kapi.services.db('sign_ins').where({ account_id: accountId, result: 'password_login_closed' });
    expect(refusedRows.length).toBeGreaterThanOrEqual(2);
  });

  it('opens password login again in an e-signature session; the password works again', async () => {
    const browser = new Browser();
    const page = await signInWithESignature(t, pki, browser, '/account/security');
    const done = await browser.submit(page, {}, { name: 'action', value: 'open' });
    expect(done.url).toBe(`${t.issuer}/account/security?notice=password_login_opened`);
    expect(done.html).toContain('data-state="open"');
    expect((await t.kapi.services.accounts.findById(accountId))!.passwordLoginEnabled).toBe(true);
    expect(await events('account.password_login_opened')).toHaveLength(1);
    const ok = await institutionSignIn(new Browser(), (await authRequest(rp)).url.href);
    expect(atCallback(ok.url)).toBe(true);
  });

  it('blocks online-banking login in any session; it stays blocked until the person opens it', async () => {
    const other = new Browser();
    await openWithPassword(t, other);
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/security');
    expect(page.html).toContain('data-state="open"');
    const done = await browser.submit(page, {}, { name: 'action', value: 'block' });
    expect(done.url).toBe(`${t.issuer}/account/security?notice=bank_login_blocked`);
    expect(done.html).toContain('id="bank-login-state" data-state="blocked"');
    expect((await other.request(`${t.issuer}/account`)).status).toBe(302);
    expect(await events('account.bank_login_blocked')).toHaveLength(1);

    // Persisted: a fresh read, a new sign-in in another browser, a password change of nothing else.
    expect((await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.bankLoginEnabled).toBe(false);
    const later = await openWithPassword(t, new Browser(), '/account/security');
    expect(later.html).toContain('id="bank-login-state" data-state="blocked"');
    expect(later.html).toContain('id="unblock-bank-login"');
  });

  it('opening online-banking login needs a fresh sign-in; with one it opens', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/security');
    // Make this session's sign-in an hour old (the session record's own login time).
    const uid = await currentUid(t, browser);
    const sessionModel = new t.kapi.services.adapter('Session');
    const payload = (await sessionModel.findByUid(uid))!;
    await sessionModel.upsert(payload.jti as string, { ...payload, loginTs: Math.floor(Date.now() / 1000) - 3600 }, 3600);

    const stale = await browser.request(`${t.issuer}/account/security/bank-login`, { form: { _csrf: csrfOf(page), action: 'unblock' } });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('kimliğinizi yeniden doğrulamanız');
    expect((await t.kapi.services.accounts.findById(accountId))!.bankLoginEnabled).toBe(false);

    const fresh = await openWithPassword(t, new Browser(), '/account/security');
    const freshBrowser = new Browser();
    const freshPage = await openWithPassword(t, freshBrowser, '/account/security');
    expect(fresh.status).toBe(200);
    const done = await freshBrowser.submit(freshPage, {}, { name: 'action', value: 'unblock' });
    expect(done.url).toBe(`${t.issuer}/account/security?notice=bank_login_unblocked`);
    expect((await t.kapi.services.accounts.findById(accountId))!.bankLoginEnabled).toBe(true);
    expect(await events('account.bank_login_unblocked')).toHaveLength(1);
  });

  it('refuses a form without its CSRF token (403) and an unknown action (400), changing nothing', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/security');
    const noCsrf = await browser.request(`${t.issuer}/account/security/bank-login`, { form: { action: 'block' } });
    expect(noCsrf.status).toBe(403);
    const wrong = await browser.request(`${t.issuer}/account/security/bank-login`, { form: { _csrf: 'x'.repeat(43), action: 'block' } });
    expect(wrong.status).toBe(403);
    const unknown = await browser.request(`${t.issuer}/account/security/bank-login`, { form: { _csrf: csrfOf(page), action: 'delete-everything' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('İstek geçersiz');
    const oversized = await browser.request(`${t.issuer}/account/security/bank-login`, { form: { _csrf: csrfOf(page), action: 'b'.repeat(40_000) } });
    expect(oversized.status).toBe(413);
    expect((await t.kapi.services.accounts.findById(accountId))!.bankLoginEnabled).toBe(true);
    // Without a session a posted form changes nothing and says so.
    const anonymous = await new Browser().request(`${t.issuer}/account/security/bank-login`, { form: { action: 'block' } });
    expect(anonymous.status).toBe(401);
  });
});
