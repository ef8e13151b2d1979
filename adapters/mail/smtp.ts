import nodemailer, { type Transporter } from 'nodemailer';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';
import type { MailMessage, MailSender } from './port.js';

// The real mail client: SMTP through nodemailer (a well-kept library that handles STARTTLS,
// implicit TLS, AUTH mechanisms and MIME encoding of Turkish text). One pooled transport per process.

export type SmtpTlsMode =
  /** Implicit TLS from the first byte (port 465). */
  | 'implicit'
  /** Plain connection upgraded with STARTTLS, which must be offered (port 587): never falls back to clear text. */
  | 'starttls'
  /** No TLS at all: only for a relay on the same host or a test server. */
  | 'none';

export interface SmtpOptions {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  username?: string | undefined;
  password?: string | undefined;
  /** The From header, e.g. "Kapı <no-reply@kapi.example>". */
  from: string;
  /** Per connection, greeting and socket inactivity. Default 10000 ms. */
  timeoutMs?: number;
  /** Accept the server's certificate without checking it: only for tests with a self-signed server. */
  insecureSkipVerify?: boolean;
}

export class SmtpMailer implements MailSender {
  readonly kind = 'smtp';
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.#from = options.from;
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.tls === 'implicit',
      requireTLS: options.tls === 'starttls',
      ignoreTLS: options.tls === 'none',
      auth: options.username ? { user: options.username, pass: options.password ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      tls: { rejectUnauthorized: !options.insecureSkipVerify, minVersion: 'TLSv1.2' },
      // nodemailer's own logger would print the SMTP dialogue, message text (codes) included.
      logger: false,
      debug: false,
    });
  }

  async send(message: MailMessage): Promise<void> {
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Kapi-Purpose': message.purpose },
      });
      if (info.rejected?.length) throw new Error('recipient rejected');
      log.info({ purpose: message.purpose, messageId: info.messageId }, 'mail accepted by the SMTP server');
    } catch (err) {
      // The server's reply code says what went wrong; the address, subject and text stay out of logs.
      const detail = err as { code?: string; responseCode?: number; message?: string };
      const reason = detail.responseCode ? `SMTP ${detail.responseCode}` : (detail.code ?? 'failed');
      log.warn({ purpose: message.purpose, reason }, 'mail not accepted by the SMTP server');
      throw new KapiError('upstream_unavailable', `SMTP: ${reason}`, {}, { cause: err });
    }
  }

  /** Checks the connection and credentials (readiness, start-up). */
  async verify(): Promise<void> {
    await this.#transport.verify();
  }

  close(): void {
    this.#transport.close();
  }
}
