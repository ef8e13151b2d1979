import type { SmsMessage, SmsSender } from './port.js';

export interface SentSms extends SmsMessage {
  at: Date;
}

/**
 * The SMS simulator: keeps what would have been sent, for the /dev/outbox page and the tests. It lives
 * in this process only (dev and tests run one process; production uses a real gateway).
 */
export class SmsOutbox implements SmsSender {
  readonly kind = 'outbox';
  readonly #sent: SentSms[] = [];

  async send(message: SmsMessage): Promise<void> {
    this.#sent.push({ ...message, at: new Date() });
    if (this.#sent.length > 500) this.#sent.shift();
  }

  /** Messages, newest first, optionally to one number. */
  list(to?: string): SentSms[] {
    return this.#sent.filter((m) => !to || m.to === to).reverse();
  }

  latest(to: string): SentSms | undefined {
    return this.list(to)[0];
  }
}
