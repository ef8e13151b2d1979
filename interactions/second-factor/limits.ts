import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

// Guess limits of the second stage. Keyed on the account (the first stage named it) and the method:
// a fresh interaction or a new code does not reset them. Once the guesses are spent the step is locked
// for the account for a while; strong first methods are unaffected, and the first stage must be done
// again after the lock.

export interface StepLimitsOptions {
  redis: Redis | undefined;
  keyPrefix: string;
  /** Wrong codes before the step locks. Default 5. */
  guesses?: number;
  /** Window and lock length. Default 15 min. */
  lockSeconds?: number;
  /** SMS codes sent per account in the window. Default 5. */
  sends?: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function limiter(options: StepLimitsOptions, name: string, points: number, seconds: number): RateLimiterAbstract {
  const base = { keyPrefix: `${options.keyPrefix}${name}`, points, duration: seconds, blockDuration: seconds };
  return options.redis ? new RateLimiterRedis({ ...base, storeClient: options.redis }) : new RateLimiterMemory(base);
}

export class StepLimits {
  readonly #guesses: RateLimiterAbstract;
  readonly #sends: RateLimiterAbstract;
  readonly #points: number;

  constructor(options: StepLimitsOptions) {
    const seconds = options.lockSeconds ?? 900;
    this.#points = options.guesses ?? 5;
    this.#guesses = limiter(options, 'sf-guess', this.#points, seconds);
    this.#sends = limiter(options, 'sf-send', options.sends ?? 5, seconds);
  }

  /** May the person try a code now? */
  async canGuess(method: string, accountId: string): Promise<LimitVerdict> {
    const res = await this.#guesses.get(`${method}:${accountId}`);
    if (res && (res.consumedPoints >= this.#points || res.remainingPoints <= 0)) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { allowed: true };
  }

  /** Records a wrong code; the verdict for the next try. */
  async failed(method: string, accountId: string): Promise<LimitVerdict> {
    try {
      const res = await this.#guesses.consume(`${method}:${accountId}`);
      return res.remainingPoints > 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      throw err;
    }
  }

  async succeeded(method: string, accountId: string): Promise<void> {
    await this.#guesses.delete(`${method}:${accountId}`);
  }

  /** One more SMS for the account, if the limit allows. */
  async trySend(accountId: string): Promise<LimitVerdict> {
    try {
      await this.#sends.consume(accountId);
      return { allowed: true };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      throw err;
    }
  }
}
