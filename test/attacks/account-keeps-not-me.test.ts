import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { BANK_A, bankJourney, startBankWorld, type BankWorld } from '../../interactions/banking/test/support.js';
import { csrfOf, signInWithESignature } from '../account/security-support.js';
import { cookieHeaderOf, silentSignIn } from './endings-support.js';
import {
  activeSessions,
  ageSignIn,
  entryId,
  FIREFOX_LINUX,
  passwordSession,
  person,
  pressNotMe,
  substantialSession,
  type Person,
} from './account-keeps-support.js';

jest.setTimeout(240_000);

// Issue 20 point 4 and DESIGN.md (third round, '"Not me"', "Endings"): each sign-in of the login history
// has "Bu ben değilim / This wasn't me". It ends every session and refresh token of the person, whatever
// method started them; closes the password or online-banking method when the entry used one, until she
// reopens it from a strong session; for card and mobile-signature entries ends everything and says whom
// to call; tells her what happened and what to do next; and is recorded. The attacker is someone who got
// in with one of her methods and keeps a session (and an institution's refresh token) in his browser.

const AYSE_AT_BANK = { login: '4000146', password: 'Demo-Banka-146' };

describe('attacks: "This wasn\'t me" on the login history (issue 20 point 4)', () => {
  let pki: TestPki;
  let w: BankWorld;
  let rp: client.Configuration;
  let institutionId: string;
  let cagla: Person & { accountId: string };
  let ismail: Person & { accountId: string };
  let zeynep: Person & { accountId: string };
  let gulsen: Person & { accountId: string };
  let ayse: Person & { accountId: string };

  beforeAll(async () => {
    pki = await startTestPki();
    w = await startBankWorld(pki.env);
    const institution = await registerInstitution(w.t, { name: 'Vergi Dairesi' });
    institutionId = institution.client_id as string;
    rp = await relyingParty(w.t, institution);
    cagla = await person(w.t, '10090908018', 'Cagla-Kapi-Sifresi-1990', '+905551230001');
    ismail = await person(w.t, '23654859046', 'Ismail-Kapi-Sifresi-1958', '+905551230002');
    zeynep = await person(w.t, '56789123416', 'Zeynep-Kapi-Sifresi-2000', '+905551230003');
    gulsen = await person(w.t, '34567891238', 'Gulsen-Kapi-Sifresi-1968', '+905551230004');
    ayse = await person(w.t, '10000000146', 'Ayse-Kapi-Sifresi-1985', '+905321112233');
  });
  afterAll(async () => {
    await w?.close();
    await pki?.close();
  });

  const t = () => w.t;
  const account = async (id: string) => (await t().kapi.services.accounts.findById(id))!;
  const events = async (accountId: string, type: string) =>
    (await t().kapi.services.db('audit_events').where({ account_id: accountId, type }).orderBy('id')) as { detail: Record<string, unknown> }[];

  /** The attacker signs in at the institution with her password, keeping its refresh token (offline_access). */
  async function attackerAtInstitution(victim: Person): Promise<{ browser: Browser; refreshToken: string }> {
    const browser = new Browser(FIREFOX_LINUX);
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    let page: Page = await browser.go(req.url.href, {}, atCallback);
    if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    page = await browser.submit(page, { national_id: victim.nationalId, password: victim.password }, { name: 'submit', value: 'login' }, atCallback);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const tokens = await exchange(rp, req, page.url);
    return { browser, refreshToken: tokens.refresh_token! };
  }

  it('on a password sign-in: every session (the attacker\'s, an e-signature one, her own) and every refresh token end, password login closes, and the attacker\'s next sign-in gets the "closed" message', async () => {
    const attacker = await attackerAtInstitution(cagla);
    expect((await attacker.browser.go(`${t().issuer}/account`)).status).toBe(200); // he reads her account pages too
    await t().kapi.services.accounts.setPending(cagla.accountId, 'phone', '+905559990000'); // and asked for his phone
    const card = new Browser('her-laptop/1.0');
    expect((await signInWithESignature(t(), pki, card, '/account', cagla)).status).toBe(200);

    const owner = new Browser('her-phone/1.0');
    const history = await passwordSession(t(), owner, cagla);
    const id = await entryId(t(), cagla.accountId, { userAgent: FIREFOX_LINUX, clientId: institutionId });
    const entry = new RegExp(`<li class="history-entry" data-id="${id}" data-result="success">([\\s\\S]*?)</li>`).exec(history.html)?.[1] ?? '';
    expect(entry).toContain('Vergi Dairesi');
    expect(entry).toContain('Firefox 121 · Linux');
    expect(entry).toContain('data-field="place"');
    expect(entry).toContain(`id="not-me-${id}"`);

    const { confirmation, done } = await pressNotMe(owner, history, id);
    expect(confirmation.html).toContain('data-step="end-all"');
    expect(confirmation.html).toContain('data-step="close-password"');
    expect(confirmation.html).not.toContain('data-step="block-banking"');
    expect(done.url).toBe(`${t().issuer}/account/history/not-me/done`);
    expect(done.status).toBe(200);
    expect(done.html).toContain('data-closed="password"');
    expect(done.html).toContain('Şifre ile giriş kapatıldı.');
    expect(done.html).toContain('data-step="reopen-password"');
    const english = await owner.go(`${t().issuer}/account/history/not-me/done?lang=en`);
    expect(english.html).toContain('Password sign-in is closed.');
    expect(english.html).toContain('What to do next');

    // Every session ended, whatever method started it, this one included; every refresh token is gone.
    expect(await activeSessions(t(), cagla.accountId)).toBe(0);
    for (const browser of [attacker.browser, card, owner]) expect((await browser.request(`${t().issuer}/account`)).status).toBe(302);
    expect((await silentSignIn(t(), cookieHeaderOf(t(), attacker.browser), rp)).error).toBe('login_required');
    expect(
      await client.refreshTokenGrant(rp, attacker.refreshToken).then(
        () => 'accepted',
        (err: { error?: string }) => err.error,
      ),
    ).toBe('invalid_grant');
    // Password login is closed: the right password is refused as a wrong one would be (issue 19 point 10),
    // with the hint that names the strong methods.
    expect((await account(cagla.accountId)).passwordLoginEnabled).toBe(false);
    let again: Page = await attacker.browser.go((await authRequest(rp)).url.href, {}, atCallback);
    if (again.html.includes('data-method="password"')) again = await attacker.browser.submit(again, {}, { name: 'method', value: 'password' }, atCallback);
    again = await attacker.browser.submit(again, { national_id: cagla.nationalId, password: cagla.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(atCallback(again.url)).toBe(false);
    expect(again.status).toBe(401);
    expect(again.html).toContain('id="password-closed-hint"');
    // Recorded, and she is told on her verified phone.
    const [recorded] = await events(cagla.accountId, 'account.not_me');
    expect(recorded!.detail).toMatchObject({ entry: id, methods: ['password'], institution: institutionId, closed: ['password_login'] });
    expect(await events(cagla.accountId, 'account.password_login_closed')).toHaveLength(1);
    expect((await t().kapi.services.accounts.pendingContacts(cagla.accountId)).phone).toBeNull();
    expect(w.t.kapi.messaging.smsOutbox!.latest(cagla.phone)!.text).toContain('Bu ben değilim');
  });

  it('on an online-banking sign-in: bank login closes (the next bank sign-in is refused with how to open it), password login stays open', async () => {
    const attacker = new Browser(FIREFOX_LINUX);
    const req = await authRequest(rp);
    expect(atCallback((await bankJourney(attacker, req.url.href, BANK_A, w.bankA.issuer, AYSE_AT_BANK.login, AYSE_AT_BANK.password)).page.url)).toBe(true);
    const owner = new Browser();
    const history = await passwordSession(t(), owner, ayse);
    const id = await entryId(t(), ayse.accountId, { userAgent: FIREFOX_LINUX, method: 'banking' });
    const { confirmation, done } = await pressNotMe(owner, history, id);
    expect(confirmation.html).toContain('data-step="block-banking"');
    expect(confirmation.html).not.toContain('data-step="close-password"');
    expect(done.html).toContain('data-closed="banking"');
    expect(done.html).not.toContain('data-closed="password"');
    expect(await account(ayse.accountId)).toMatchObject({ bankLoginEnabled: false, passwordLoginEnabled: true });
    expect(await activeSessions(t(), ayse.accountId)).toBe(0);
    expect((await attacker.request(`${t().issuer}/account`)).status).toBe(302);

    const refused = await bankJourney(
      new Browser(FIREFOX_LINUX),
      (await authRequest(rp)).url.href,
      BANK_A,
      w.bankA.issuer,
      AYSE_AT_BANK.login,
      AYSE_AT_BANK.password,
    );
    expect(atCallback(refused.page.url)).toBe(false);
    expect(refused.page.status).toBe(403);
    expect(refused.page.html).toContain('Erişim kısıtlamaları');
    // Her password still signs her in.
    expect((await passwordSession(t(), new Browser(), ayse, '/account')).status).toBe(200);
    expect((await events(ayse.accountId, 'account.not_me'))[0]!.detail).toMatchObject({ methods: ['banking'], closed: ['bank_login'] });
    await t().kapi.services.accounts.setBankLoginEnabled(ayse.accountId, true);
  });

  it('on an e-signature or a mobile-signature sign-in: everything ends, no method closes, and she is told to call the certificate provider or the GSM operator', async () => {
    const thief = new Browser(FIREFOX_LINUX);
    expect((await signInWithESignature(t(), pki, thief, '/account', ismail)).status).toBe(200);
    const eSignatureEntry = await entryId(t(), ismail.accountId, { userAgent: FIREFOX_LINUX, method: 'e-signature' });
    const owner = new Browser();
    let history = await passwordSession(t(), owner, ismail);
    let { confirmation, done } = await pressNotMe(owner, history, eSignatureEntry);
    expect(confirmation.html).toContain('data-advice="certificate_provider"');
    expect(confirmation.html).not.toContain('data-step="close-password"');
    expect(done.html).toContain('data-advice="certificate_provider"');
    expect(done.html).toContain('elektronik sertifika hizmet sağlayıcısını');
    expect(done.html).not.toContain('data-closed=');
    expect((await thief.request(`${t().issuer}/account`)).status).toBe(302);
    expect(await account(ismail.accountId)).toMatchObject({ passwordLoginEnabled: true, bankLoginEnabled: true });

    // A mobile-signature sign-in at the institution (recorded as the method records it).
    await t().kapi.services.audit.signIn({
      accountId: ismail.accountId,
      clientId: institutionId,
      method: 'mobile-signature',
      acr: 'high',
      result: 'success',
      ip: '203.0.113.9',
      userAgent: FIREFOX_LINUX,
    });
    const mobileEntry = await entryId(t(), ismail.accountId, { method: 'mobile-signature' });
    history = await passwordSession(t(), owner, ismail);
    ({ confirmation, done } = await pressNotMe(owner, history, mobileEntry));
    expect(done.html).toContain('data-advice="gsm_operator"');
    expect(done.html).toContain('GSM operatörünüzü arayıp');
    const english = await owner.go(`${t().issuer}/account/history/not-me/done?lang=en`);
    expect(english.html).toContain('call your GSM operator');
    expect(await account(ismail.accountId)).toMatchObject({ passwordLoginEnabled: true, bankLoginEnabled: true });
    expect((await events(ismail.accountId, 'account.not_me')).map((e) => e.detail.advice)).toEqual([['certificate_provider'], ['gsm_operator']]);
  });

  describe('who may press it: any signed-in session of the owner (it only takes access away)', () => {
    const sessions: [string, (b: Browser) => Promise<Page>][] = [
      ['a password sign-in (low), just now', (b) => passwordSession(t(), b, zeynep)],
      ['password and SMS (substantial), just now', (b) => substantialSession(t(), b, zeynep)],
      [
        'e-signature (high), just now',
        async (b) => {
          await signInWithESignature(t(), pki, b, '/account/history', zeynep);
          return b.go(`${t().issuer}/account/history`);
        },
      ],
      [
        'a password sign-in an hour old',
        async (b) => {
          await passwordSession(t(), b, zeynep);
          await ageSignIn(t(), b, 3600);
          return b.go(`${t().issuer}/account/history`);
        },
      ],
    ];
    it.each(sessions)('%s', async (_name, signIn) => {
      await t().kapi.services.accounts.setPasswordLoginEnabled(zeynep.accountId, true);
      const other = new Browser(FIREFOX_LINUX);
      await passwordSession(t(), other, zeynep, '/account');
      const id = await entryId(t(), zeynep.accountId, { userAgent: FIREFOX_LINUX });
      const owner = new Browser();
      const history = await signIn(owner);
      expect(history.url).toBe(`${t().issuer}/account/history`);
      const { done } = await pressNotMe(owner, history, id);
      expect(done.url).toBe(`${t().issuer}/account/history/not-me/done`);
      expect(done.html).toContain('data-closed="password"');
      expect(await activeSessions(t(), zeynep.accountId)).toBe(0);
      expect((await other.request(`${t().issuer}/account`)).status).toBe(302);
      expect((await account(zeynep.accountId)).passwordLoginEnabled).toBe(false);
    });
  });

  it("acts only on her own sign-ins: another person's entry is a 404 and nothing of either changes; a made-up or failed entry 404, a malformed one 400, no CSRF 403, after the session ended 401", async () => {
    await t().kapi.services.accounts.setPasswordLoginEnabled(zeynep.accountId, true);
    const zeynepReports = (await events(zeynep.accountId, 'account.not_me')).length;
    const zeynepBrowser = new Browser(FIREFOX_LINUX);
    await passwordSession(t(), zeynepBrowser, zeynep, '/account');
    const zeynepEntry = await entryId(t(), zeynep.accountId, { userAgent: FIREFOX_LINUX });

    const browser = new Browser();
    // A failed attempt of hers first: it gets no button, and posting its id finds nothing.
    let page = await browser.go(`${t().issuer}/account/login?next=%2Faccount%2Fhistory`);
    page = await browser.submit(page, { national_id: gulsen.nationalId, password: 'Yanlis-Sifre-Bu-1' }, { name: 'submit', value: 'login' });
    expect(page.status).toBe(401);
    const failed = await entryId(t(), gulsen.accountId, { result: 'invalid_credentials' });
    const history = await passwordSession(t(), browser, gulsen);
    expect(history.html).not.toContain(`id="not-me-${failed}"`);
    const csrf = csrfOf(history);
    const post = (form: Record<string, string>) => browser.request(`${t().issuer}/account/history/not-me`, { form });

    for (const confirm of ['', 'yes']) expect((await post({ _csrf: csrf, entry: zeynepEntry, confirm })).status).toBe(404);
    expect((await post({ _csrf: csrf, entry: '999999999', confirm: 'yes' })).status).toBe(404);
    expect((await post({ _csrf: csrf, entry: failed, confirm: 'yes' })).status).toBe(404);
    for (const bad of ['abc', '-1', '0', '1'.repeat(30), "1' or 1=1"]) expect((await post({ _csrf: csrf, entry: bad, confirm: 'yes' })).status).toBe(400);
    const mine = await entryId(t(), gulsen.accountId, {});
    expect((await post({ entry: mine, confirm: 'yes' })).status).toBe(403);
    const english = await browser.request(`${t().issuer}/account/history/not-me?lang=en`, { form: { _csrf: csrf, entry: zeynepEntry, confirm: 'yes' } });
    expect(await english.text()).toContain('does not exist');

    // Nothing changed for anyone.
    expect(await account(zeynep.accountId)).toMatchObject({ passwordLoginEnabled: true });
    expect(await account(gulsen.accountId)).toMatchObject({ passwordLoginEnabled: true });
    expect((await zeynepBrowser.request(`${t().issuer}/account`)).status).toBe(200);
    expect((await browser.request(`${t().issuer}/account`)).status).toBe(200);
    expect(await events(zeynep.accountId, 'account.not_me')).toHaveLength(zeynepReports);
    expect(await events(gulsen.accountId, 'account.not_me')).toHaveLength(0);

    // A post after her session ended changes nothing and says so.
    await t().kapi.services.sessions.endForAccount(gulsen.accountId, { reason: 'signed_out_everywhere' });
    const late = await post({ _csrf: csrf, entry: mine, confirm: 'yes' });
    expect(late.status).toBe(401);
    expect((await account(gulsen.accountId)).passwordLoginEnabled).toBe(true);
  });

  it('10 parallel confirmations close password login and record the closing once (compare-and-set); every session still ends', async () => {
    await t().kapi.services.accounts.setPasswordLoginEnabled(ayse.accountId, true);
    const before = (await events(ayse.accountId, 'account.password_login_closed')).length;
    const other = new Browser(FIREFOX_LINUX);
    await passwordSession(t(), other, ayse, '/account');
    const id = await entryId(t(), ayse.accountId, { userAgent: FIREFOX_LINUX });
    const owner = new Browser();
    const history = await passwordSession(t(), owner, ayse);
    const csrf = csrfOf(history);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () =>
        owner.request(`${t().issuer}/account/history/not-me`, { form: { _csrf: csrf, entry: id, confirm: 'yes' } }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 303 || s === 401)).toBe(true);
    expect(statuses).toContain(303);
    expect((await events(ayse.accountId, 'account.password_login_closed')).length).toBe(before + 1);
    expect((await account(ayse.accountId)).passwordLoginEnabled).toBe(false);
    expect(await activeSessions(t(), ayse.accountId)).toBe(0);
    expect((await other.request(`${t().issuer}/account`)).status).toBe(302);
  });
});
