import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { redirectLogs } from '../../src/log.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { AYSE, openWithPassword } from './security-support.js';

jest.setTimeout(60_000);

// Codes, passwords, phone numbers and addresses typed or sent in the password, contact and reset
// flows never reach the logs, even at trace level.

describe('logs of the password, contact and reset flows', () => {
  let t: TestKapi;
  const lines: string[] = [];
  beforeAll(async () => {
    redirectLogs({ write: (line: string) => void lines.push(line) });
    t = await startKapi({ env: { KAPI_LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t?.stop();
    redirectLogs(undefined);
  });

  it('contain no code, password, number or address', async () => {
    const secrets: string[] = [];
    // Forgot my password, with a wrong code and the right one.
    const browser = new Browser();
    const start = await browser.go(`${t.issuer}/account/reset`);
    const codePage = await browser.submit(
      start,
      { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33', email: AYSE.email },
      { name: 'submit', value: 'start' },
    );
    const sms = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(AYSE.phone)!.text)![1]!;
    const mail = /\b(\d{6})\b/.exec(t.kapi.messaging.mailOutbox!.latest(AYSE.email)!.text)![1]!;
    secrets.push(sms, mail);
    await browser.submit(codePage, { sms_code: '000001', email_code: '000002' }, { name: 'submit', value: 'verify' });
    const pw = await browser.submit(codePage, { sms_code: sms, email_code: mail }, { name: 'submit', value: 'verify' });
    const next = 'Gece-Yarisi-Trenleri-44';
    secrets.push(next, AYSE.password);
    await browser.submit(pw, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' });

    // Change it again, with a wrong current password first; then a contact change and its code.
    const b2 = new Browser();
    const page = await openWithPassword(t, b2, '/account/password', { nationalId: AYSE.nationalId, password: next });
    await b2.submit(page, { current_password: 'Yanlis-Sifre-Deneme-1', new_password: 'x', new_password_confirm: 'x' }, { name: 'submit', value: 'change' });
    const third = 'Sabah-Gunesi-Dogarken-5';
    secrets.push('Yanlis-Sifre-Deneme-1', third);
    await b2.submit(page, { current_password: next, new_password: third, new_password_confirm: third }, { name: 'submit', value: 'change' });
    // The demo phone confirms sign-ins (a second factor), which a password session may not replace
    // (test/attacks/endings-factors.test.ts): here it is a contact only.
    await t.kapi.services.db('accounts').where({ national_id: AYSE.nationalId }).update({ phone_verified_acr: 'low' });
    const contacts = await b2.go(`${t.issuer}/account/contacts`);
    await b2.submit(contacts, { phone: '0533 765 43 21' }, { name: 'action', value: 'update' });
    const contactCode = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest('+905337654321')!.text)![1]!;
    secrets.push(contactCode, '5337654321', '905321112233', AYSE.email);
    await new Promise((r) => setTimeout(r, 100));

    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    // A code is looked for as a number of its own (a timestamp may contain any six digits).
    for (const secret of secrets)
      expect(all).not.toMatch(new RegExp(/^\d+$/.test(secret) ? `(?<!\\d)${secret}(?!\\d)` : secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
