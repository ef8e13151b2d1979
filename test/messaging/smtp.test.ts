import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { SmtpMailer } from '../../adapters/mail/smtp.js';
import { freePort } from '../support/kapi.js';

// The SMTP client against a real SMTP server (the smtp-server package) on 127.0.0.1; what arrives is
// parsed with mailparser, as a mail client would read it.

describe('SMTP mail client', () => {
  let server: SMTPServer;
  let port: number;
  const received: { from: string | undefined; to: string[]; user: string | undefined; mail: ParsedMail }[] = [];
  let refuseNext = false;

  beforeAll(async () => {
    port = await freePort();
    server = new SMTPServer({
      secure: false,
      // The test server accepts AUTH over a plain connection (a real relay would insist on TLS).
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'kapi' && auth.password === 'smtp-secret') return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, callback) {
        if (refuseNext) {
          refuseNext = false;
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        return callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              to: session.envelope.rcptTo.map((r) => r.address),
              user: session.user as string | undefined,
              mail,
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers a Turkish text with the configured sender, authenticated', async () => {
    const mailer = new SmtpMailer({ host: '127.0.0.1', port, tls: 'none', username: 'kapi', password: 'smtp-secret', from: 'Kapı <no-reply@kapi.example>' });
    await mailer.send({
      to: 'ayse.yilmaz@example.org',
      subject: 'Doğrulama kodunuz',
      text: 'Kodunuz: 123456\n\nŞifrenizi kimseyle paylaşmayın.',
      purpose: 'contact_verification',
    });
    mailer.close();
    const last = received.at(-1)!;
    expect(last.user).toBe('kapi');
    expect(last.to).toEqual(['ayse.yilmaz@example.org']);
    expect(last.from).toBe('no-reply@kapi.example');
    expect(last.mail.subject).toBe('Doğrulama kodunuz');
    expect(last.mail.text).toContain('Şifrenizi kimseyle paylaşmayın.');
    expect(last.mail.from?.value[0]).toMatchObject({ name: 'Kapı', address: 'no-reply@kapi.example' });
    expect(last.mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('reports wrong credentials and a refused recipient as upstream_unavailable', async () => {
    const wrong = new SmtpMailer({ host: '127.0.0.1', port, tls: 'none', username: 'kapi', password: 'nope', from: 'no-reply@kapi.example' });
    await expect(wrong.send({ to: 'a@example.org', subject: 's', text: 't', purpose: 'notification' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    wrong.close();
    const mailer = new SmtpMailer({ host: '127.0.0.1', port, tls: 'none', from: 'no-reply@kapi.example' });
    refuseNext = true;
    await expect(mailer.send({ to: 'gone@example.org', subject: 's', text: 't', purpose: 'notification' })).rejects.toThrow(/SMTP 550/);
    mailer.close();
  });

  it('refuses to send in clear text when STARTTLS is required but not offered', async () => {
    const mailer = new SmtpMailer({
      host: '127.0.0.1',
      port,
      tls: 'starttls',
      username: 'kapi',
      password: 'smtp-secret',
      from: 'no-reply@kapi.example',
      timeoutMs: 2000,
    });
    const before = received.length;
    await expect(mailer.send({ to: 'a@example.org', subject: 's', text: 'secret code 999999', purpose: 'notification' })).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
    expect(received.length).toBe(before);
    mailer.close();
  });
});
