import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Browser } from '../support/browser.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { AYSE, openWithPassword } from '../account/security-support.js';

jest.setTimeout(60_000);

// Kapı configured with a real SMS gateway and SMTP server (both started here on 127.0.0.1): account
// notices and verification codes travel through them, and the development outbox does not exist.

describe('Kapı with a configured SMS gateway and SMTP server', () => {
  let gateway: Server;
  let smtp: SMTPServer;
  let t: TestKapi;
  const sms: { to: string; text: string; from: string; auth: string | undefined }[] = [];
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    const gatewayPort = await freePort();
    gateway = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as { to: string; text: string; from: string };
        sms.push({ ...body, auth: req.headers.authorization });
        res.statusCode = 202;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(gatewayPort, '127.0.0.1', resolve));
    const smtpPort = await freePort();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((m) => {
            mails.push(m);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    t = await startKapi({
      env: {
        KAPI_SMS_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}/send`,
        KAPI_SMS_GATEWAY_TOKEN: 'gateway-token-1',
        KAPI_SMS_SENDER_ID: 'TESTKAPI',
        KAPI_SMTP_HOST: '127.0.0.1',
        KAPI_SMTP_PORT: String(smtpPort),
        KAPI_SMTP_TLS: 'none',
        KAPI_SMTP_FROM: 'Kapı <no-reply@kapi.test>',
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => gateway.close(resolve));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('uses the real clients and has no development outbox', async () => {
    expect(t.kapi.messaging.sms.kind).toBe('http-gateway');
    expect(t.kapi.messaging.mail.kind).toBe('smtp');
    expect(t.kapi.messaging.smsOutbox).toBeUndefined();
    expect((await new Browser().request(`${t.issuer}/dev/outbox`)).status).toBe(404);
  });

  it('sends a contact verification code through the gateway and over SMTP', async () => {
    // Her phone as a contact only (verified in a password sign-in): replacing a phone that confirms
    // sign-ins needs a stronger sign-in (test/attacks/endings-factors.test.ts), not what this test is about.
    await t.kapi.services.db('accounts').where({ national_id: AYSE.nationalId }).update({ phone_verified_acr: 'low' });
    const browser = new Browser();
    const page = await openWithPassword(t, browser, '/account/contacts');
    const sent = await browser.submit(page, { phone: '0533 222 33 44' }, { name: 'action', value: 'update' });
    expect(sent.url).toContain('notice=phone_code_sent');
    const code = sms.find((m) => m.to === '+905332223344');
    expect(code).toMatchObject({ from: 'TESTKAPI', auth: 'Bearer gateway-token-1' });
    expect(code!.text).toMatch(/\b\d{6}\b/);
    // The old verified phone and e-mail were told that a change was asked for (the new phone waits beside
    // the verified one until its code is typed: test/attacks/account-keeps.test.ts).
    expect(sms.some((m) => m.to === AYSE.phone)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mails.some((m) => m.subject === 'İletişim bilginizin değiştirilmesi istendi' && m.to && JSON.stringify(m.to).includes(AYSE.email))).toBe(true);
  });
});
