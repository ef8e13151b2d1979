import type { PushMessage, PushSender } from './port.js';

export interface SentPush extends PushMessage {
  at: Date;
}

/** The push simulator: keeps what would have been sent (dev page, tests). One process only. */
export class PushOutbox implements PushSender {
  readonly kind = 'outbox';
  readonly #sent: SentPush[] = [];

  async send(message: PushMessage): Promise<void> {
    this.#sent.push({ ...message, at: new Date() });
    if (this.#sent.length > 500) this.#sent.shift();
  }

  /** Messages, newest first, optionally to one push token. */
  list(token?: string): SentPush[] {
    return this.#sent.filter((m) => !token || m.token === token).reverse();
  }

  latest(token: string): SentPush | undefined {
    return this.list(token)[0];
  }
}
