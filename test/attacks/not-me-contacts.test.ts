import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { signInWithESignature } from '../account/security-support.js';
import { codeIn } from '../support/codes.js';
import { api, registerConsole, smartCardToken } from '../registrar/support.js';
import { entryId, FIREFOX_LINUX, person, pressNotMe, substantialSession, type Person } from './account-keeps-support.js';

jest.setTimeout(240_000);

// An outside attack on "This wasn't me" (attack2): the intruder signed in fresh at `substantial` (her
// password and one SMS code: phished, or a SIM swap) and, on "My contact options", replaced her phone
// with his own, typing the code that reached him. She disowns that sign-in. "This wasn't me" drops a
// contact change still waiting for its code and takes away the passkeys added since, but a phone he
// verified since stays her verified phone: the reset codes, the SMS second factor and the notifications
// (the not-me one included) go to him, and with her birth date and document serial (printed on the ID
// card he may have seen) "forgot my password" gives him a new password of hers at his phone.

const AYSE_RESET = { national_id: '10000000146', birthdate: '1985-04-12', document_serial: 'A12B34567' };
const HIS_PHONE = '+905559990000';
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const MEHMET_RESET = { national_id: '12345678950', birthdate: '1972-11-03', document_serial: 'B23C45678', phone: '0555 123 00 09' };

describe('attacks: contacts the intruder verified do not survive "This wasn\'t me"', () => {
  let pki: TestPki;
  let t: TestKapi;
  let ayse: Person & { accountId: string };
  let mehmet: Person & { accountId: string };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    ayse = await person(t, '10000000146', 'Mavi-Deniz-Kiyisi-Yuruyus', '+905321112233');
    mehmet = await person(t, '12345678950', 'Mehmet-Kapi-Sifresi-1972', '+905551230009');
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  const account = async () => (await t.kapi.services.accounts.findById(ayse.accountId))!;
  const sms = (to: string, purpose: string) => t.kapi.messaging.smsOutbox!.list(to).filter((m) => m.purpose === purpose);
  /** Waits until `to` has more than `count` reset codes (they are sent without awaiting the gateway). */
  async function resetCodes(to: string, count: number): Promise<number> {
    for (let i = 0; i < 100 && sms(to, 'password_reset').length <= count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return sms(to, 'password_reset').length;
  }
  /** "Forgot my password" started in a browser of its own, up to the code page (the same page for everyone). */
  async function startReset(details: Record<string, string>): Promise<void> {
    const browser = new Browser('a-thief/1.0');
    const page = await browser.go(`${t.issuer}/account/reset`);
    const codes = await browser.submit(page, details, { name: 'submit', value: 'start' });
    expect(codes.url).toBe(`${t.issuer}/account/reset/code`);
  }

  // The office is where the FAQ sends a person whose account was taken over: a new password in person,
  // and "remove my second factors". The phone and e-mail then stop being verified until he confirms his.
  it('an office issuance asked for after a takeover, removing the second factors, leaves no phone the intruder verified where reset codes go', async () => {
    // (First in the file: "This wasn't me" below revokes the registrar's tokens, Ayşe being the demo registrar.)
    // The intruder, fresh at substantial in Mehmet's account, puts his phone in place of Mehmet's.
    const intruder = new Browser(FIREFOX_LINUX);
    const contacts = await substantialSession(t, intruder, mehmet, '/account/contacts');
    expect(contacts.url).toBe(`${t.issuer}/account/contacts`);
    const asked = await intruder.submit(contacts, { phone: '0555 999 00 00' }, { name: 'action', value: 'update' });
    const code = codeIn(sms(HIS_PHONE, 'contact_verification')[0]?.text);
    const verified = await intruder.submit(asked, { code }, { name: 'verify', value: 'phone' });
    expect(verified.url).toBe(`${t.issuer}/account/contacts?notice=phone_changed`);
    expect((await t.kapi.services.accounts.findById(mehmet.accountId))!.phone).toBe(HIS_PHONE);

    // Mehmet at the office, in person, with his ID card: a new password, and his second factors removed.
    const registrar = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), ayse.nationalId);
    const issued = await api(t, registrar, 'POST', '/issuances', { national_id: mehmet.nationalId, documents: [MEHMET_CARD], remove_second_factors: true });
    expect(issued.status).toBe(201);
    expect(issued.body.second_factors_removed).toBe(true);
    expect((await t.kapi.services.accounts.findById(mehmet.accountId))!).toMatchObject({ phone: HIS_PHONE, phoneVerified: false });

    // "Forgot my password" with Mehmet's details and the intruder's phone: no code may reach him, or the
    // office's new password is his for the asking. (A control reset, started after it, is waited for.)
    const before = sms(HIS_PHONE, 'password_reset').length;
    await startReset({ ...MEHMET_RESET, phone: '0555 999 00 00' });
    await person(t, '10000000146', 'Mavi-Deniz-Kiyisi-Yuruyus', '+905321112233'); // the control: Ayşe with her phone
    const control = sms(ayse.phone, 'password_reset').length;
    await startReset({ ...AYSE_RESET, phone: '0532 111 22 33' });
    expect(await resetCodes(ayse.phone, control)).toBe(control + 1);
    expect(sms(HIS_PHONE, 'password_reset')).toHaveLength(before);
  });

  it('a phone the intruder verified in the sign-in she disowns no longer receives her reset codes after "This wasn\'t me"', async () => {
    mehmet = await person(t, '12345678950', 'Mehmet-Kapi-Sifresi-1972', '+905551230009'); // the control, with his own phone again
    // The intruder: password + SMS code, fresh, on her contact options; his phone replaces hers.
    const intruder = new Browser(FIREFOX_LINUX);
    const contacts = await substantialSession(t, intruder, ayse, '/account/contacts');
    expect(contacts.url).toBe(`${t.issuer}/account/contacts`);
    const asked = await intruder.submit(contacts, { phone: '0555 999 00 00' }, { name: 'action', value: 'update' });
    expect(asked.url).toBe(`${t.issuer}/account/contacts?notice=phone_code_sent`);
    const verified = await intruder.submit(asked, { code: codeIn(sms(HIS_PHONE, 'contact_verification')[0]?.text) }, { name: 'verify', value: 'phone' });
    expect(verified.url).toBe(`${t.issuer}/account/contacts?notice=phone_changed`);
    expect(await account()).toMatchObject({ phone: HIS_PHONE, phoneVerified: true }); // the attack took

    // Before her press, "forgot my password" with her details and his phone reaches him (the path exists).
    const before = sms(HIS_PHONE, 'password_reset').length;
    await startReset({ ...AYSE_RESET, phone: '0555 999 00 00' });
    expect(await resetCodes(HIS_PHONE, before)).toBe(before + 1);

    // She signs in with her e-signature and disowns his sign-in.
    const owner = new Browser('her-laptop/1.0');
    const history = await signInWithESignature(t, pki, owner, '/account/history', ayse);
    expect(history.url).toBe(`${t.issuer}/account/history`);
    const id = await entryId(t, ayse.accountId, { userAgent: FIREFOX_LINUX });
    const { confirmation, done } = await pressNotMe(owner, history, id);
    expect(confirmation.html).toContain('data-step="drop-phone"'); // she is told before she confirms
    expect(done.url).toBe(`${t.issuer}/account/history/not-me/done`);
    expect(done.html).toContain('data-closed="phone-contact"');
    // The notice of her report does not go to him either.
    expect(t.kapi.messaging.smsOutbox!.list(HIS_PHONE).some((m) => m.text.includes('Bu ben değilim'))).toBe(false);

    // The same reset again: no code reaches him. (A control reset of Mehmet's, started after it, is
    // waited for: its code arrives after any his would have.)
    await startReset({ ...AYSE_RESET, phone: '0555 999 00 00' });
    const control = sms(mehmet.phone, 'password_reset').length;
    await startReset(MEHMET_RESET);
    expect(await resetCodes(mehmet.phone, control)).toBe(control + 1);
    expect(sms(HIS_PHONE, 'password_reset')).toHaveLength(before + 1);
    // His phone is no longer where her account sends anything (nor the SMS second factor's phone).
    const after = await account();
    expect({ phone: after.phone, verified: after.phoneVerified }).not.toEqual({ phone: HIS_PHONE, verified: true });
  });
});
