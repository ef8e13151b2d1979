import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KapiError } from '../../../../errors.js';
import { ipBucket } from '../../../../security/guess-limiter.js';
import { deriveKey, hmac } from '../../../../security/crypto.js';
import type { AccountDeps } from '../../deps.js';

/**
 * A counter of attempts (wrong current passwords, reset starts, codes sent) shared by every Kapı
 * process through Redis when there is one. Keys are HMACs: identity numbers, account ids and IPs do
 * not sit in Redis in clear.
 */
export class AttemptLimit {
  readonly #limiter: RateLimiterAbstract;
  readonly #key: Buffer;

  constructor(deps: AccountDeps, name: string, readonly points: number, durationSeconds: number) {
    const keyPrefix = `${deps.config.redisPrefix}limit:${name}`;
    this.#limiter = deps.services.redis
      ? new RateLimiterRedis({ storeClient: deps.services.redis, keyPrefix, points, duration: durationSeconds })
      : new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
    this.#key = deriveKey(deps.config.masterKey, `attempt-limit:${name}`);
  }

  /** Seconds to wait before another attempt is allowed, or 0. Consumes nothing. */
  async waitSeconds(subject: string): Promise<number> {
    const res = await this.#store(() => this.#limiter.get(this.#subject(subject)));
    return res && res.consumedPoints >= this.points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }

  /** Counts one attempt; returns the wait that now applies (0 while within the limit). */
  async consume(subject: string): Promise<number> {
    try {
      await this.#limiter.consume(this.#subject(subject));
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new KapiError('storage_unavailable', 'attempt limiter store unavailable', {}, { cause: err });
    }
  }

  async reset(subject: string): Promise<void> {
    await this.#store(() => this.#limiter.delete(this.#subject(subject)));
  }

  #subject(subject: string): string {
    return hmac(this.#key, subject);
  }

  // A limiter that cannot reach its store fails closed.
  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw new KapiError('storage_unavailable', 'attempt limiter store unavailable', {}, { cause: err });
    }
  }
}

/** The per-IP subject: IPv6 clients count per /64, as for the login's guess limits. */
export function ipSubject(ip: string): string {
  return `ip:${ipBucket(ip)}`;
}
