import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { accountFromPerson } from '../../src/accounts/account-repository.js';
import { checkDigits } from '../../src/identity/national-id.js';
import { Browser, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { AYSE, openWithPassword } from './security-support.js';
import { codeIn } from '../support/codes.js';

jest.setTimeout(90_000);

// "Forgot my password": identity number + birth date + document serial (checked against the registry)
// + the verified contacts, codes by SMS (and e-mail), then a new password.

const AYSE_DETAILS = { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' };
const GULSEN = { national_id: '34567891238', birthdate: '1968-05-09', document_serial: 'M01234567', phone: '+90 555 111 22 33' }; // blue card
const ZEYNEP = { national_id: '56789123416', birthdate: '2000-03-08', document_serial: 'D45E67890', phone: '0555 999 88 77' }; // phone not verified

/** A well-formed identity number nobody holds. */
function unknownNumber(): string {
  const first = [3, 1, 4, 1, 5, 9, 2, 6, 5];
  return [...first, ...checkDigits(first)].join('');
}

/** The page without what differs per request anyway (CSRF token). */
function comparable(html: string): string {
  return html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
}

describe('forgot my password', () => {
  let t: TestKapi;

  beforeAll(async () => {
    t = await startKapi();
    const gulsen = (await t.kapi.services.accounts.findByNationalId(GULSEN.national_id))!;
    await t.kapi.services.accounts.setPhone(gulsen.id, '+905551112233', 'low');
    const zeynep = (await t.kapi.services.registry.lookup(ZEYNEP.national_id))!;
    const account = await t.kapi.services.accounts.create(accountFromPerson(zeynep, { phone: '+905559998877', phoneVerified: false }));
    await t.kapi.services.accounts.setPassword({
      accountId: account.id,
      hash: await t.kapi.services.hasher.hash('Zeynep-Eski-Sifre-2000'),
      mustChange: false,
      origin: 'self',
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const sms = () => t.kapi.messaging.smsOutbox!.list().length;

  async function start(browser: Browser, fields: Record<string, string>): Promise<Page> {
    const page = await browser.go(`${t.issuer}/account/reset`);
    expect(page.status).toBe(200);
    return browser.submit(page, fields, { name: 'submit', value: 'start' });
  }

  it('is linked from the password login page', async () => {
    const page = await new Browser().go(`${t.issuer}/account/login?next=/account`);
    const login = page.html.includes('data-method="password"') ? await new Browser().submit(page, {}, { name: 'method', value: 'password' }) : page;
    expect(login.html).toContain('href="/account/reset"');
  });

  it('refuses foreigners with a clear message, before asking anything of the registry', async () => {
    const before = sms();
    const page = await start(new Browser(), { national_id: '99234567106', birthdate: '1988-12-30', document_serial: 'Y99887766', phone: '0532 000 00 00' });
    expect(page.status).toBe(403);
    expect(page.html).toContain('data-reason="foreigner"');
    expect(page.html).toContain('Yabancı kimlik numarası sahipleri şifre yenileme hizmetinden yararlanamaz');
    const english = await new Browser().go(`${t.issuer}/account/reset?lang=en`);
    expect(english.html).toContain('blue card holders');
    expect(sms()).toBe(before);
  });

  it('refuses people under 15 (by the birth date typed)', async () => {
    const page = await start(new Browser(), { national_id: '19876543238', birthdate: '2015-09-17', document_serial: 'E56F78901', phone: '0532 000 00 00' });
    expect(page.status).toBe(403);
    expect(page.html).toContain('data-reason="under_15"');
  });

  it('never tells whether a number exists: unknown, wrong details, unverified phone and a match look the same', async () => {
    const before = sms();
    const cases = [
      { ...AYSE_DETAILS, national_id: unknownNumber() },
      { ...AYSE_DETAILS, document_serial: 'Z99999999' },
      { ...AYSE_DETAILS, phone: '0532 111 22 34' },
      ZEYNEP,
      AYSE_DETAILS,
    ];
    const pages: Page[] = [];
    for (const fields of cases) pages.push(await start(new Browser(), fields));
    for (const page of pages) {
      expect(page.url).toBe(`${t.issuer}/account/reset/code`);
      expect(page.status).toBe(200);
      expect(comparable(page.html)).toBe(comparable(pages[0]!.html));
    }
    // Only the full match sent a code, to the verified phone.
    expect(sms()).toBe(before + 1);
    expect(t.kapi.messaging.smsOutbox!.list()[0]!.to).toBe('+905321112233');
    expect(t.kapi.messaging.smsOutbox!.list('+905559998877')).toHaveLength(0);
  });

  it('refuses a reset with an unverified phone: no code is sent and no code can pass', async () => {
    const browser = new Browser();
    const page = await start(browser, ZEYNEP);
    expect(t.kapi.messaging.smsOutbox!.list('+905559998877')).toHaveLength(0);
    for (const guess of ['123456', '000000']) {
      const res = await browser.submit(page, { sms_code: guess }, { name: 'submit', value: 'verify' });
      expect(res.status).toBe(400);
      expect(res.html).toContain('Güvenlik kodu doğru değil');
    }
    expect((await browser.request(`${t.issuer}/account/reset/password`)).status).toBe(400);
  });

  it('resets a citizen’s password: code by SMS, new password, password sessions end, the code cannot be reused', async () => {
    const passwordSession = new Browser();
    expect((await openWithPassword(t, passwordSession)).url).toBe(`${t.issuer}/account`);
    const browser = new Browser();
    const codePage = await start(browser, AYSE_DETAILS);
    const code = codeIn(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text);
    const wrong = await browser.submit(codePage, { sms_code: code === '000000' ? '111111' : '000000' }, { name: 'submit', value: 'verify' });
    expect(wrong.status).toBe(400);
    const pwPage = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
    expect(pwPage.url).toBe(`${t.issuer}/account/reset/password`);
    expect(pwPage.html).toContain('id="rules"');
    const weak = await browser.submit(pwPage, { new_password: 'ayse1985', new_password_confirm: 'ayse1985' }, { name: 'submit', value: 'save' });
    expect(weak.status).toBe(400);
    const next = 'Yeni-Baslangic-Icin-Sifre-7';
    const done = await browser.submit(pwPage, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' });
    expect(done.url).toBe(`${t.issuer}/account/reset/done`);
    expect(done.html).toContain('id="reset-done"');

    const account = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!;
    expect((await t.kapi.services.accounts.findPassword(account.id))!.origin).toBe('reset');
    expect(await t.kapi.services.db('audit_events').where({ account_id: account.id, type: 'account.password_reset' })).toHaveLength(1);
    expect((await passwordSession.request(`${t.issuer}/account`)).status).toBe(302);
    expect((await openWithPassword(t, new Browser(), '/account', { nationalId: AYSE.nationalId, password: next })).url).toBe(`${t.issuer}/account`);

    // The same code again: the attempt is over.
    const again = await browser.request(`${t.issuer}/account/reset/code`, { form: { _csrf: 'x', sms_code: code } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('süresi doldu ya da bulunamadı');
  });

  it('ends the attempt after too many wrong codes: the right code no longer works', async () => {
    const browser = new Browser();
    const codePage = await start(browser, { ...AYSE_DETAILS, phone: '+905321112233' });
    const code = codeIn(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await browser.submit(codePage, { sms_code: wrong }, { name: 'submit', value: 'verify' })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const late = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
    expect(late.url).not.toBe(`${t.issuer}/account/reset/password`);
    expect(late.status).toBe(403); // the attempt (and its CSRF binding) is gone
  });

  it('serves blue card holders; the phone-and-e-mail method needs both codes', async () => {
    const browser = new Browser();
    const codePage = await start(browser, GULSEN);
    const code = codeIn(t.kapi.messaging.smsOutbox!.latest('+905551112233')!.text);
    expect((await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' })).url).toBe(`${t.issuer}/account/reset/password`);

    const ayse = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!;
    await t.kapi.services.accounts.setPasswordResetMethod(ayse.id, 'phone_and_email');
    const smsBefore = sms();
    // Phone only, while the method asks for both: a decoy (no code sent).
    await start(new Browser(), AYSE_DETAILS);
    expect(sms()).toBe(smsBefore);
    const both = new Browser();
    const page = await start(both, { ...AYSE_DETAILS, email: AYSE.email });
    expect(page.html).toContain('name="email_code"');
    const smsCode = codeIn(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text);
    const mailCode = codeIn(t.kapi.messaging.mailOutbox!.latest(AYSE.email)!.text);
    const onlySms = await both.submit(page, { sms_code: smsCode, email_code: smsCode === mailCode ? '000000' : smsCode }, { name: 'submit', value: 'verify' });
    expect(onlySms.status).toBe(400);
    const ok = await both.submit(page, { sms_code: smsCode, email_code: mailCode }, { name: 'submit', value: 'verify' });
    expect(ok.url).toBe(`${t.issuer}/account/reset/password`);
  });

  it('limits starts per identity number (known or not) and says so', async () => {
    const number = (() => {
      const first = [2, 7, 1, 8, 2, 8, 1, 8, 2];
      return [...first, ...checkDigits(first)].join('');
    })();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await start(new Browser(), { ...AYSE_DETAILS, national_id: number });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
  });

  it('answers malformed input with field errors in the person’s language', async () => {
    const page = await start(new Browser(), { national_id: '12345', birthdate: '1985-02-30', document_serial: 'A1', phone: 'x' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('id="national_id-error"');
    const en = new Browser();
    await en.go(`${t.issuer}/account/reset?lang=en`);
    const bad = await start(en, { ...AYSE_DETAILS, birthdate: '1985-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Type your date of birth');
    const csrf = await new Browser().request(`${t.issuer}/account/reset`, { form: AYSE_DETAILS });
    expect(csrf.status).toBe(400); // no attempt in this browser: start again
  });
});
