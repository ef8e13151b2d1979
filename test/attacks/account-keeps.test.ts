import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { csrfOf, signInWithESignature } from '../account/security-support.js';
import { afterLogout, ageSignIn, passwordSession, person, type Person } from './account-keeps-support.js';
import { sessionOf } from './endings-support.js';
import { codeIn } from '../support/codes.js';

jest.setTimeout(240_000);

// Issue 20 point 5: accounts that keep what they should.
// - A reset code is worth only as much as the contact it was sent to: removed or changed, the code is dead.
// - A new phone or e-mail waits beside the verified one until it is verified: a typo costs nothing.
// - "Verify it's me" answered by somebody else's sign-in is a new person's session, said so, never a
//   silent swap into the page the first person had asked for.
// - "Same as the current password" is refused the same way wherever a password is set, and the office's
//   one-time password typed again is called that (not "too common").

const AYSE_RESET = { national_id: '10000000146', birthdate: '1985-04-12', document_serial: 'A12B34567' };
const AYSE_EMAIL = 'ayse.yilmaz@example.org';
const MEHMET_OFFICE = { nationalId: '12345678950', password: 'ptt-7KQ4M9XZ' };
const SAME_AS_CURRENT = 'Yeni şifre şu anki şifrenizle aynı; farklı bir şifre seçin.';

describe('attacks: accounts keep what they should (issue 20 point 5)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;
  let ayse: Person & { accountId: string };
  let gulsen: Person & { accountId: string };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t, { name: 'Vergi Dairesi' }));
    gulsen = await person(t, '34567891238', 'Gulsen-Kapi-Sifresi-1968', '+905551230004');
  });
  beforeEach(async () => {
    // Ayşe as every test finds her: her registry phone (the SMS second factor) and her e-mail, both
    // verified, her own password, nothing pending.
    ayse = await person(t, '10000000146', 'Mavi-Deniz-Kiyisi-Yuruyus', '+905321112233');
    await t.kapi.services.sessions.endForAccount(ayse.accountId, { reason: 'signed_out' });
    await t.kapi.services.db('accounts').where({ id: ayse.accountId }).update({ email: AYSE_EMAIL, email_verified: true, password_reset_method: 'phone' });
    // (Pending contacts are what the fix adds; on the code before it the columns do not exist.)
    await t.kapi.services
      .db('accounts')
      .where({ id: ayse.accountId })
      .update({ pending_phone: null, pending_email: null })
      .catch(() => undefined);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const account = async () => (await t.kapi.services.accounts.findById(ayse.accountId))!;
  const sms = (to: string, purpose: string) => t.kapi.messaging.smsOutbox!.list(to).filter((m) => m.purpose === purpose);
  const mails = (to: string, purpose: string) => t.kapi.messaging.mailOutbox!.list(to).filter((m) => m.purpose === purpose);

  /** Waits for the next message an outbox gets (reset codes are sent without awaiting the gateway); outboxes list newest first. */
  async function next<T>(list: () => T[], count: number): Promise<T | undefined> {
    for (let i = 0; i < 100 && list().length <= count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return list().length > count ? list()[0] : undefined;
  }

  /**
   * "Forgot my password" up to the code page, in a browser of its own; returns the codes that reached her
   * verified phone (and e-mail), if any did.
   */
  async function startReset(browser: Browser, contacts: { phone: string; email?: string }): Promise<{ page: Page; sms?: string; mail?: string }> {
    const smsBefore = sms(ayse.phone, 'password_reset').length;
    const mailBefore = mails(AYSE_EMAIL, 'password_reset').length;
    const page = await browser.go(`${t.issuer}/account/reset`);
    const codes = await browser.submit(page, { ...AYSE_RESET, ...contacts }, { name: 'submit', value: 'start' });
    expect(codes.url).toBe(`${t.issuer}/account/reset/code`);
    const smsText = (await next(() => sms(ayse.phone, 'password_reset'), smsBefore))?.text;
    const mailText = contacts.email ? (await next(() => mails(AYSE_EMAIL, 'password_reset'), mailBefore))?.text : undefined;
    return { page: codes, ...(smsText ? { sms: codeIn(smsText) } : {}), ...(mailText ? { mail: codeIn(mailText) } : {}) };
  }

  /** Her own strong session on the contacts page (e-signature: may replace or delete the phone that confirms sign-ins). */
  async function contactsAsOwner(): Promise<{ browser: Browser; page: Page }> {
    const browser = new Browser();
    const page = await signInWithESignature(t, pki, browser, '/account/contacts', ayse);
    expect(page.url).toBe(`${t.issuer}/account/contacts`);
    return { browser, page };
  }

  describe('a reset code stops working when the contact it was sent to is removed or changed', () => {
    it('a code sent to her phone is refused once she has deleted that phone (she lost it)', async () => {
      const thief = new Browser();
      const { page: codePage, sms: code } = await startReset(thief, { phone: '0532 111 22 33' });
      expect(code).toBeDefined();
      const { browser, page } = await contactsAsOwner();
      const deleted = await browser.request(`${t.issuer}/account/contacts/phone`, { form: { _csrf: csrfOf(page), action: 'delete' } });
      expect(deleted.headers.get('location')).toBe('/account/contacts?notice=phone_deleted');

      const refused = await thief.submit(codePage, { sms_code: code! }, { name: 'submit', value: 'verify' });
      expect(refused.url).toBe(`${t.issuer}/account/reset/code`);
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('Kodların gönderildiği cep telefonu ya da e-posta adresi bu arada hesabınızdan silindi veya değiştirildi');
      expect(
        await t.kapi.services.db('audit_events').where({ account_id: ayse.accountId, type: 'account.password_reset_refused' }).orderBy('id', 'desc').first(),
      ).toMatchObject({ detail: expect.objectContaining({ reason: 'contact_changed' }) });
      // The attempt is over: the password page is not reachable either.
      expect((await thief.go(`${t.issuer}/account/reset/password`)).status).toBe(400);
    });

    it('codes already typed stop working when the e-mail they went to is replaced before the new password is saved', async () => {
      const thief = new Browser();
      const started = await startReset(thief, { phone: '0532 111 22 33', email: AYSE_EMAIL });
      const passwordPage = await thief.submit(started.page, { sms_code: started.sms!, email_code: started.mail! }, { name: 'submit', value: 'verify' });
      expect(passwordPage.url).toBe(`${t.issuer}/account/reset/password`);

      // She replaces her e-mail (the new one verified with its own code).
      const { browser, page } = await contactsAsOwner();
      await browser.request(`${t.issuer}/account/contacts/email`, { form: { _csrf: csrfOf(page), action: 'update', email: 'ayse.yeni@example.org' } });
      const verified = await browser.request(`${t.issuer}/account/contacts/email/verify`, {
        form: { _csrf: csrfOf(page), code: codeIn(mails('ayse.yeni@example.org', 'contact_verification')[0]?.text) },
      });
      expect(verified.status).toBe(303);
      expect((await account()).email).toBe('ayse.yeni@example.org');

      const refused = await thief.submit(
        passwordPage,
        { new_password: 'Tamamen-Yeni-Bir-Sifre-42', new_password_confirm: 'Tamamen-Yeni-Bir-Sifre-42' },
        { name: 'submit', value: 'save' },
      );
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('bu kodlar artık geçerli değil');
      // Her password is untouched.
      expect((await passwordSession(t, new Browser(), ayse, '/account')).status).toBe(200);
    });
  });

  describe('a new phone or e-mail waits beside the verified one until it is verified', () => {
    it('a typo in a new phone keeps the verified one: a reset still reaches it and the SMS second factor still confirms sign-ins there', async () => {
      const { browser, page } = await contactsAsOwner();
      const typo = await browser.submit(page, { phone: '0532 111 22 34' }, { name: 'action', value: 'update' });
      expect(typo.url).toBe(`${t.issuer}/account/contacts?notice=phone_code_sent`);
      expect(typo.html).toContain('id="phone-state" data-state="verified"');
      expect(typo.html).toContain('id="phone-pending"');
      expect(await account()).toMatchObject({ phone: ayse.phone, phoneVerified: true, phoneVerifiedAcr: 'registry' });
      expect(sms('+905321112234', 'contact_verification')).toHaveLength(1); // the code went to the typo

      // The reset with her verified phone still sends its code there.
      expect((await startReset(new Browser(), { phone: '0532 111 22 33' })).sms).toBeDefined();
      // The SMS second factor still confirms a `substantial` sign-in on her verified phone.
      const second = new Browser();
      const req = await authRequest(rp, { acr_values: 'substantial' });
      let step: Page = await second.go(req.url.href, {}, atCallback);
      if (step.html.includes('data-method="password"')) step = await second.submit(step, {}, { name: 'method', value: 'password' }, atCallback);
      step = await second.submit(step, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
      if (step.html.includes('data-method="sms"')) step = await second.submit(step, {}, { name: 'method', value: 'sms' }, atCallback);
      expect(step.html).toContain('name="code"');
      step = await second.submit(step, { code: codeIn(sms(ayse.phone, 'second_factor')[0]?.text) }, { name: 'action', value: 'verify' }, atCallback);
      if (!atCallback(step.url)) step = await second.submit(step, {}, { name: 'decision', value: 'allow' }, atCallback);
      expect(atCallback(step.url)).toBe(true);

      // She notices the typo, types the right number and verifies it: only now does it replace the old one.
      const fixed = await browser.submit(typo, { phone: '0533 444 55 66' }, { name: 'action', value: 'update' });
      expect((await account()).phone).toBe(ayse.phone);
      const done = await browser.submit(fixed, { code: codeIn(sms('+905334445566', 'contact_verification')[0]?.text) }, { name: 'verify', value: 'phone' });
      expect(done.url).toBe(`${t.issuer}/account/contacts?notice=phone_changed`);
      expect(await account()).toMatchObject({ phone: '+905334445566', phoneVerified: true, phoneVerifiedAcr: 'high' });
      expect(done.html).not.toContain('id="phone-pending"');
    });

    it('a typo in a new e-mail keeps the verified one and the "phone and e-mail" reset method', async () => {
      await t.kapi.services.accounts.setPasswordResetMethod(ayse.accountId, 'phone_and_email');
      const { browser, page } = await contactsAsOwner();
      const res = await browser.request(`${t.issuer}/account/contacts/email`, {
        form: { _csrf: csrfOf(page), action: 'update', email: 'ayse.yilmaz@exmaple.org' },
      });
      expect(res.headers.get('location')).toBe('/account/contacts?notice=email_code_sent');
      expect(await account()).toMatchObject({ email: AYSE_EMAIL, emailVerified: true, passwordResetMethod: 'phone_and_email' });
      // A reset by phone and e-mail still works with her verified address.
      expect((await startReset(new Browser(), { phone: '0532 111 22 33', email: AYSE_EMAIL })).mail).toBeDefined();
      // "Cancel this change" drops the typo; the verified address was never touched.
      const contacts = await browser.go(`${t.issuer}/account/contacts`);
      const cancelled = await browser.submit(contacts, {}, { name: 'cancel', value: 'email' });
      expect(cancelled.url).toBe(`${t.issuer}/account/contacts?notice=email_cancelled`);
      expect(cancelled.html).not.toContain('id="email-pending"');
      expect(await account()).toMatchObject({ email: AYSE_EMAIL, emailVerified: true, passwordResetMethod: 'phone_and_email' });
    });
  });

  describe('"Verify it\'s me" on a stale session must be the same person', () => {
    async function staleSessionOfAyse(): Promise<{ browser: Browser; uid: string }> {
      const browser = new Browser();
      await passwordSession(t, browser, ayse, '/account/contacts');
      await ageSignIn(t, browser, 600);
      const stale = await browser.go(`${t.issuer}/account/contacts`);
      expect(stale.html).toContain('id="reauth"');
      return { browser, uid: (await sessionOf(t, browser)).uid };
    }

    it("another person's sign-in starts a fresh session with a clear notice: the earlier session is ended, her page is not shown", async () => {
      const { browser, uid } = await staleSessionOfAyse();
      let page = await browser.go(`${t.issuer}/account/login?next=%2Faccount%2Fcontacts&again=1`);
      if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
      page = await afterLogout(
        browser,
        await browser.submit(page, { national_id: gulsen.nationalId, password: gulsen.password }, { name: 'submit', value: 'login' }),
      );
      expect(page.url).toBe(`${t.issuer}/account/switched`);
      expect(page.html).toContain('id="switched-notice"');
      expect(page.html).toContain('Gülşen Aydın');
      expect(page.html).not.toContain('id="update-phone"');
      // A new session, Gülşen's; Ayşe's has ended.
      expect((await t.kapi.services.sessions.find(uid))!.endedAt).not.toBeNull();
      const [now] = await t.kapi.services.sessions.listActive(gulsen.accountId);
      expect(now!.uid).not.toBe(uid);
      expect(await t.kapi.services.sessions.listActive(ayse.accountId)).toHaveLength(0);
      expect(await t.kapi.services.db('audit_events').where({ account_id: gulsen.accountId, type: 'session.another_person_signed_in' })).toHaveLength(1);
      expect((await browser.go(`${t.issuer}/account/switched?lang=en`)).html).toContain('You are now signed in as Gülşen Aydın');
      expect((await browser.go(`${t.issuer}/account?lang=en`)).html).toContain('Welcome, Gülşen Aydın.');
      // The notice belongs to that one new session: another browser, or a later session, is not shown it.
      expect((await new Browser().go(`${t.issuer}/account/switched`)).url).not.toBe(`${t.issuer}/account/switched`);
    });

    it('the same person goes straight back to the page she asked for', async () => {
      const { browser } = await staleSessionOfAyse();
      const page = await passwordSession(t, browser, ayse, '/account/contacts');
      expect(page.url).toBe(`${t.issuer}/account/contacts`);
      expect(page.html).toContain('id="update-phone"');
      expect(page.html).not.toContain('id="switched-notice"');
    });
  });

  describe('"same as the current password" is refused the same way everywhere', () => {
    it('on the change page, on "set without the old one" and on the reset page: the same refusal, nothing saved', async () => {
      const hashBefore = (await t.kapi.services.accounts.findPassword(ayse.accountId))!.hash;
      const same = { new_password: ayse.password, new_password_confirm: ayse.password };
      // Change (current password typed).
      const changer = new Browser();
      const changePage = await passwordSession(t, changer, ayse, '/account/password');
      const changed = await changer.submit(changePage, { current_password: ayse.password, ...same }, { name: 'submit', value: 'change' });
      // Set without the old one (an e-signature session).
      const setter = new Browser();
      const setPage = await signInWithESignature(t, pki, setter, '/account/password', ayse);
      expect(setPage.html).not.toContain('name="current_password"');
      const set = await setter.submit(setPage, same, { name: 'submit', value: 'change' });
      // Reset.
      const resetter = new Browser();
      const started = await startReset(resetter, { phone: '0532 111 22 33' });
      const passwordPage = await resetter.submit(started.page, { sms_code: started.sms! }, { name: 'submit', value: 'verify' });
      const reset = await resetter.submit(passwordPage, same, { name: 'submit', value: 'save' });

      for (const refused of [set, reset, changed]) {
        expect(refused.status).toBe(400);
        expect(refused.html).toContain(SAME_AS_CURRENT);
        expect(refused.html).toContain('id="new_password-error"');
      }
      expect((await t.kapi.services.accounts.findPassword(ayse.accountId))!.hash).toBe(hashBefore);
      expect(
        await t.kapi.services
          .db('audit_events')
          .where({ account_id: ayse.accountId })
          .whereIn('type', ['account.password_changed', 'account.password_set_without_old', 'account.password_reset']),
      ).toHaveLength(0);
      const english = await setter.request(`${t.issuer}/account/password?lang=en`, { form: { _csrf: csrfOf(setPage), ...same } });
      expect(await english.text()).toContain('The new password is the same as your current one');
    });

    it('the office one-time password typed again at the forced change says exactly that, not "too common"', async () => {
      const browser = new Browser();
      let page: Page = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
      if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
      page = await browser.submit(
        page,
        { national_id: MEHMET_OFFICE.nationalId, password: MEHMET_OFFICE.password },
        { name: 'submit', value: 'login' },
        atCallback,
      );
      expect(page.html).toContain('name="new_password_confirm"');
      const again = await browser.submit(
        page,
        { new_password: MEHMET_OFFICE.password, new_password_confirm: MEHMET_OFFICE.password },
        { name: 'submit', value: 'change' },
        atCallback,
      );
      expect(again.status).toBe(400);
      expect(again.html).toContain('Bu, ofisten aldığınız tek kullanımlık şifre');
      expect(again.html).not.toContain('çok yaygın');
      const mehmet = (await t.kapi.services.accounts.findByNationalId(MEHMET_OFFICE.nationalId))!;
      expect((await t.kapi.services.accounts.findPassword(mehmet.id))!.mustChange).toBe(true);
    });
  });
});
