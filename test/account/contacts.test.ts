import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { AYSE, csrfOf, openWithPassword, signInWithESignature } from './security-support.js';
import { codeIn } from '../support/codes.js';
import { ageSignIn } from '../attacks/account-keeps-support.js';

jest.setTimeout(90_000);

// "My contact options": add, verify, update and delete the mobile phone and e-mail (re-authentication
// first), the reset method, and "Refresh my information" from the population registry.

/** Makes this browser's sign-in `seconds` older (the session record's own login time). */

describe('account pages: contact options', () => {
  let pki: TestPki;
  let t: TestKapi;
  let accountId: string;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    accountId = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.id;
    // A contact, not a second factor: a phone that confirms sign-ins is a factor, which only a sign-in
    // that may remove factors replaces or deletes (test/attacks/endings-factors.test.ts).
    await t.kapi.services.db('accounts').where({ id: accountId }).update({ phone_verified_acr: 'low' });
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const account = async () => (await t.kapi.services.accounts.findById(accountId))!;
  const events = async (type: string) =>
    (await t.kapi.services.db('audit_events').where({ account_id: accountId, type })) as { detail: Record<string, unknown> }[];

  it('demands re-authentication before a contact changes: the page offers it, a stale post is refused (403)', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    expect(page.html).toContain('id="update-phone"');
    await ageSignIn(t, browser, 600);
    const stale = await browser.go(`${t.issuer}/account/contacts`);
    expect(stale.html).toContain('id="reauth"');
    expect(stale.html).not.toContain('id="update-phone"');
    expect(stale.html).toContain('/account/login?next=%2Faccount%2Fcontacts&amp;again=1');
    const res = await browser.request(`${t.issuer}/account/contacts/phone`, { form: { _csrf: csrfOf(page), action: 'update', phone: '0533 444 55 66' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('kimliğinizi yeniden doğrulamanız');
    const del = await browser.request(`${t.issuer}/account/contacts/email`, { form: { _csrf: csrfOf(page), action: 'delete' } });
    expect(del.status).toBe(403);
    const method = await browser.request(`${t.issuer}/account/contacts/reset-method`, { form: { _csrf: csrfOf(page), method: 'phone_and_email' } });
    expect(method.status).toBe(403);
    expect(await account()).toMatchObject({ phone: AYSE.phone, phoneVerified: true, email: AYSE.email, emailVerified: true, passwordResetMethod: 'phone' });
  });

  it('refuses a malformed phone or e-mail in the person’s language, and a form without CSRF', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    const bad = await browser.submit(page, { phone: '12ab' }, { name: 'action', value: 'update' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Bu bir cep telefonu numarası değil.');
    const badMail = await browser.request(`${t.issuer}/account/contacts/email?lang=en`, {
      form: { _csrf: csrfOf(page), action: 'update', email: 'not an address' },
    });
    expect(badMail.status).toBe(400);
    const csrf = await browser.request(`${t.issuer}/account/contacts/phone`, { form: { action: 'update', phone: '0533 444 55 66' } });
    expect(csrf.status).toBe(403);
    const unknown = await browser.request(`${t.issuer}/account/contacts/phone`, { form: { _csrf: csrfOf(page), action: 'explode' } });
    expect(unknown.status).toBe(400);
    expect((await account()).phone).toBe(AYSE.phone);
  });

  it('updates the phone: the verified one stays until the new one is verified, its owner told; wrong code refused, right code verifies at the session’s level', async () => {
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    const oldSmsCount = t.kapi.messaging.smsOutbox!.list(AYSE.phone).length;
    const sent = await browser.submit(page, { phone: '0533 444 55 66' }, { name: 'action', value: 'update' });
    expect(sent.url).toBe(`${t.issuer}/account/contacts?notice=phone_code_sent`);
    // The new number waits beside the verified one (issue 20 point 5: a typo costs nothing).
    expect(sent.html).toContain('id="phone-state" data-state="verified"');
    expect(sent.html).toContain('id="phone-pending"');
    expect(await account()).toMatchObject({ phone: AYSE.phone, phoneVerified: true, phoneVerifiedAcr: 'low' });
    expect(t.kapi.messaging.smsOutbox!.list(AYSE.phone).length).toBe(oldSmsCount + 1); // "a change was asked for", to the old number
    const code = codeIn(t.kapi.messaging.smsOutbox!.latest('+905334445566')!.text);
    const wrong = await browser.submit(sent, { code: code === '000000' ? '111111' : '000000' }, { name: 'verify', value: 'phone' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Doğrulama kodu doğru değil.');
    expect((await account()).phone).toBe(AYSE.phone);
    const ok = await browser.submit(sent, { code }, { name: 'verify', value: 'phone' });
    expect(ok.url).toBe(`${t.issuer}/account/contacts?notice=phone_changed`);
    expect(await account()).toMatchObject({ phone: '+905334445566', phoneVerified: true, phoneVerifiedAcr: 'low' });
    expect(t.kapi.messaging.smsOutbox!.list(AYSE.phone).length).toBe(oldSmsCount + 2); // "your phone changed", to the old number
    expect((await events('account.phone_verified'))[0]!.detail).toMatchObject({ acr: 'low' });
    expect((await events('account.phone_changed'))[0]!.detail).toMatchObject({ replacedVerified: true });
    // No code, phone number or e-mail in the audit trail.
    expect(JSON.stringify(await t.kapi.services.db('audit_events').where({ account_id: accountId }))).not.toContain(code);
  });

  it('throws the code away after too many wrong guesses; a new code can be asked for', async () => {
    const browser = new Browser();
    let page: Page = await openWithPassword(t, browser, '/account/contacts');
    // Two forms carry an "update" button (phone, e-mail): this one is posted directly.
    const sentRes = await browser.request(`${t.issuer}/account/contacts/email`, {
      form: { _csrf: csrfOf(page), action: 'update', email: 'Ayse.Yeni@Example.ORG' },
    });
    expect(sentRes.headers.get('location')).toBe('/account/contacts?notice=email_code_sent');
    page = await browser.go(`${t.issuer}/account/contacts`);
    expect(await account()).toMatchObject({ email: AYSE.email, emailVerified: true }); // until the new one is verified
    expect(page.html).toContain('Ayse.Yeni@example.org');
    const code = codeIn(t.kapi.messaging.mailOutbox!.latest('Ayse.Yeni@example.org')!.text);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await browser.request(`${t.issuer}/account/contacts/email/verify`, { form: { _csrf: csrfOf(page), code: wrong } })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const late = await browser.request(`${t.issuer}/account/contacts/email/verify`, { form: { _csrf: csrfOf(page), code } });
    expect(late.status).toBe(429); // the right code is gone too
    expect((await account()).email).toBe(AYSE.email);
    // "Verify my e-mail address now": a new code, which works once.
    const resent = await browser.submit(page, {}, { name: 'send', value: 'email' });
    expect(resent.url).toContain('notice=email_code_sent');
    const second = codeIn(t.kapi.messaging.mailOutbox!.latest('Ayse.Yeni@example.org')!.text);
    const ok = await browser.request(`${t.issuer}/account/contacts/email/verify`, { form: { _csrf: csrfOf(page), code: second } });
    expect(ok.status).toBe(303);
    expect(await account()).toMatchObject({ email: 'Ayse.Yeni@example.org', emailVerified: true });
    const reuse = await browser.request(`${t.issuer}/account/contacts/email/verify`, { form: { _csrf: csrfOf(page), code: second } });
    expect(reuse.headers.get('location')).toBe('/account/contacts?notice=unchanged');
  });

  it('records a phone verified in an e-signature session at level high (what the SMS second factor relies on)', async () => {
    const browser = new Browser();
    let page = await signInWithESignature(t, pki, browser, '/account/contacts');
    page = await browser.submit(page, { phone: '+90 532 111 22 33' }, { name: 'action', value: 'update' });
    const code = codeIn(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text);
    await browser.submit(page, { code }, { name: 'verify', value: 'phone' });
    expect(await account()).toMatchObject({ phone: '+905321112233', phoneVerified: true, phoneVerifiedAcr: 'high' });
    const row = await t.kapi.services.db('accounts').where({ id: accountId }).first();
    expect(row.phone_verified_acr).toBe('high');
  });

  it('chooses the reset method (phone and e-mail needs a verified e-mail); deleting the e-mail falls back to phone only', async () => {
    // The phone verified at `high` above is a second factor; this password session deletes a contact only.
    await t.kapi.services.db('accounts').where({ id: accountId }).update({ phone_verified_acr: 'low' });
    const other = new Browser();
    await openWithPassword(t, other);
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    const saved = await browser.submit(page, { method: 'phone_and_email' }, { name: 'save', value: 'reset-method' });
    expect(saved.url).toBe(`${t.issuer}/account/contacts?notice=reset_method_saved`);
    expect((await account()).passwordResetMethod).toBe('phone_and_email');
    expect((await other.request(`${t.issuer}/account`)).status).toBe(302);
    const deleted = await browser.submit(saved, {}, { name: 'action', value: 'delete' });
    expect(deleted.url).toContain('notice='); // the first delete button on the page is the phone's
    const after = await account();
    expect(after.phone).toBeNull();
    const emailDeleted = await browser.request(`${t.issuer}/account/contacts/email`, { form: { _csrf: csrfOf(page), action: 'delete' } });
    expect(emailDeleted.headers.get('location')).toBe('/account/contacts?notice=email_deleted');
    expect(await account()).toMatchObject({ email: null, emailVerified: false, passwordResetMethod: 'phone' });
    const refused = await browser.request(`${t.issuer}/account/contacts/reset-method`, { form: { _csrf: csrfOf(page), method: 'phone_and_email' } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('önce e-posta adresinizi doğrulayın');
    const bogus = await browser.request(`${t.issuer}/account/contacts/reset-method`, { form: { _csrf: csrfOf(page), method: 'carrier-pigeon' } });
    expect(bogus.status).toBe(400);
    expect((await events('account.email_deleted')).length).toBe(1);
  });

  it('"Refresh my information" pulls name and address from the registry again', async () => {
    await t.kapi.services.db('accounts').where({ id: accountId }).update({ given_name: 'Eski', address: null });
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    expect(page.html).toContain('Eski');
    const done = await browser.submit(page, {}, { name: 'refresh', value: 'registry' });
    expect(done.url).toBe(`${t.issuer}/account/contacts?notice=refreshed`);
    expect(done.html).toContain('Kızılay Mah.');
    expect(await account()).toMatchObject({ givenName: 'Ayşe', familyName: 'Yılmaz' });
    expect((await account()).address?.locality).toBe('Çankaya');
    expect(await events('account.refreshed_from_registry')).toHaveLength(1);
  });
});
