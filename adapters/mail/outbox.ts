import type { MailMessage, MailSender } from './port.js';

export interface SentMail extends MailMessage {
  at: Date;
}

/** The mail simulator: keeps what would have been sent, for the /dev/outbox page and the tests (one process). */
export class MailOutbox implements MailSender {
  readonly kind = 'outbox';
  readonly #sent: SentMail[] = [];

  async send(message: MailMessage): Promise<void> {
    this.#sent.push({ ...message, at: new Date() });
    if (this.#sent.length > 500) this.#sent.shift();
  }

  list(to?: string): SentMail[] {
    return this.#sent.filter((m) => !to || m.to === to).reverse();
  }

  latest(to: string): SentMail | undefined {
    return this.list(to)[0];
  }
}
