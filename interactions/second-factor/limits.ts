import type { Counter, Limiters } from '../../src/security/limiters.js';

// Guess limits of the second stage. Keyed on the account (the first stage named it) and the method:
// a fresh interaction or a new code does not reset them. Once the guesses are spent the step is locked
// for the account for a while; strong first methods are unaffected, and the first stage must be done
// again after the lock. A browser that signed in as the person before (its device cookie: `device`)
// has its own guesses and sends: a stranger who knows her password and locks the step, or spends the
// SMS budget, locks the strangers' allowance only, never her own browser's.

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

/** A code guess whose point is taken. */
export interface CodeGuess {
  readonly allowed: true;
  /** The code was wrong: the point stays; the verdict for the next guess. */
  wrong(): Promise<LimitVerdict>;
  /** The code was right: the account's guesses start over. */
  right(): Promise<void>;
}

export class StepLimits {
  readonly #guesses: Counter;
  readonly #sends: Counter;
  readonly #points: number;
  readonly #lockSeconds: number;

  constructor(options: StepLimitsOptions) {
    const seconds = options.lockSeconds ?? 900;
    this.#lockSeconds = seconds;
    this.#points = options.guesses ?? 5;
    this.#guesses = options.limiters.counter({ name: 'sf-guess', points: this.#points, durationSeconds: seconds, blockSeconds: seconds });
    this.#sends = options.limiters.counter({ name: 'sf-send', points: options.sends ?? 5, durationSeconds: seconds, blockSeconds: seconds });
  }

  /** May the person try a code now? A preview for showing the step; `guess` decides. */
  async canGuess(method: string, accountId: string, device?: string): Promise<LimitVerdict> {
    const res = await this.#guesses.peek(allowance(`${method}:${accountId}`, device));
    if (res && res.consumed >= this.#points) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { allowed: true };
  }

  /**
   * Takes a guess BEFORE the code is checked (atomically: attempts sent at once never get more checks
   * than the guesses left); refused when they are spent. The caller then says how the code was.
   */
  async guess(method: string, accountId: string, device?: string): Promise<CodeGuess | Extract<LimitVerdict, { allowed: false }>> {
    const key = allowance(`${method}:${accountId}`, device);
    const take = await this.#guesses.take(key);
    if (!take.allowed) return { allowed: false, retryAfterSeconds: take.retryAfterSeconds };
    return {
      allowed: true,
      // The last guess spent locks the step for the whole lock time, counted from this failure.
      wrong: async () => {
        if (take.remaining > 0) return { allowed: true };
        await this.#guesses.block(key, this.#lockSeconds);
        return { allowed: false, retryAfterSeconds: this.#lockSeconds };
      },
      right: () => this.#guesses.reset(key),
    };
  }

  /** One more SMS for the account, if the limit allows. */
  async trySend(accountId: string, device?: string): Promise<LimitVerdict> {
    const take = await this.#sends.take(allowance(accountId, device));
    return take.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: take.retryAfterSeconds };
  }
}

/** The strangers' key, or the key of one browser's own allowance. */
function allowance(key: string, device: string | undefined): string {
  return device ? `${key}:browser:${device}` : key;
}
