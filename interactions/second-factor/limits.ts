import type { Counter, Limiters } from '../../src/security/limiters.js';

// Guess limits of the second stage. Keyed on the account (the first stage named it) and the method:
// a fresh interaction or a new code does not reset them. Once the guesses are spent the step is locked
// for the account for a while; strong first methods are unaffected, and the first stage must be done
// again after the lock.

export interface StepLimitsOptions {
  limiters: Limiters;
  /** Wrong codes before the step locks. Default 5. */
  guesses?: number;
  /** Window and lock length. Default 15 min. */
  lockSeconds?: number;
  /** SMS codes sent per account in the window. Default 5. */
  sends?: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class StepLimits {
  readonly #guesses: Counter;
  readonly #sends: Counter;
  readonly #points: number;

  constructor(options: StepLimitsOptions) {
    const seconds = options.lockSeconds ?? 900;
    this.#points = options.guesses ?? 5;
    this.#guesses = options.limiters.counter({ name: 'sf-guess', points: this.#points, durationSeconds: seconds, blockSeconds: seconds });
    this.#sends = options.limiters.counter({ name: 'sf-send', points: options.sends ?? 5, durationSeconds: seconds, blockSeconds: seconds });
  }

  /** May the person try a code now? */
  async canGuess(method: string, accountId: string): Promise<LimitVerdict> {
    const res = await this.#guesses.peek(`${method}:${accountId}`);
    if (res && res.consumed >= this.#points) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { allowed: true };
  }

  /** Records a wrong code; the verdict for the next try. */
  async failed(method: string, accountId: string): Promise<LimitVerdict> {
    const take = await this.#guesses.take(`${method}:${accountId}`);
    if (!take.allowed) return { allowed: false, retryAfterSeconds: take.retryAfterSeconds };
    return take.remaining > 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(take.msBeforeNext / 1000)) };
  }

  async succeeded(method: string, accountId: string): Promise<void> {
    await this.#guesses.reset(`${method}:${accountId}`);
  }

  /** One more SMS for the account, if the limit allows. */
  async trySend(accountId: string): Promise<LimitVerdict> {
    const take = await this.#sends.take(accountId);
    return take.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: take.retryAfterSeconds };
  }
}
