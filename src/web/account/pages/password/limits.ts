import { ipBucket } from '../../../../security/guess-limiter.js';
import { deriveKey, hmac } from '../../../../security/crypto.js';
import type { Counter } from '../../../../security/limiters.js';
import type { AccountDeps } from '../../deps.js';

/**
 * A counter of attempts (wrong current passwords, reset starts, codes sent) shared by every Kapı
 * process through Redis when there is one. Keys are HMACs: identity numbers, account ids and IPs do
 * not sit in Redis in clear.
 */
export class AttemptLimit {
  readonly #counter: Counter;
  readonly #key: Buffer;

  constructor(
    deps: AccountDeps,
    name: string,
    readonly points: number,
    durationSeconds: number,
  ) {
    this.#counter = deps.services.limiters.counter({ name: `limit:${name}`, points, durationSeconds });
    this.#key = deriveKey(deps.config.masterKey, `attempt-limit:${name}`);
  }

  /**
   * Takes one attempt's point, atomically, BEFORE the attempt is checked; returns the wait when the
   * limit is spent (0 while within it).
   */
  async consume(subject: string): Promise<number> {
    const take = await this.#counter.take(this.#subject(subject));
    return take.allowed ? 0 : take.retryAfterSeconds;
  }

  /** Gives one attempt's point back (a later budget refused, so nothing happened). */
  async giveBack(subject: string): Promise<void> {
    await this.#counter.giveBack(this.#subject(subject));
  }

  async reset(subject: string): Promise<void> {
    await this.#counter.reset(this.#subject(subject));
  }

  #subject(subject: string): string {
    return hmac(this.#key, subject);
  }
}

/** The per-IP subject: IPv6 clients count per /64, as for the login's guess limits. */
export function ipSubject(ip: string): string {
  return `ip:${ipBucket(ip)}`;
}

/** The strangers' subject, or the subject of one browser's own allowance (its device cookie for the person). */
export function ownAllowance(subject: string, device: string | undefined): string {
  return device ? `${subject}:browser:${device}` : subject;
}

/** What the account pages may tell the password guess limiter (handed in as `ports.passwordGuesses`). */
export interface PasswordGuesses {
  /** The owner proved herself (a completed password reset): strangers' runs of failures end. */
  ownerSignedIn(nationalId: string): Promise<void>;
}
