import { isIPv4, isIPv6 } from 'node:net';
import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KapiError } from '../errors.js';
import { hmac } from './crypto.js';

// Guess limits for the password method. They are keyed on the identity number as typed (whether or
// not anyone holds it, so the limiter's answers do not reveal who has an account) and on the client
// IP. They slow and then temporarily close the PASSWORD METHOD for that number; the account itself is
// never locked, so strong methods (e-signature, mobile signature, ID card) keep working and nobody can
// lock a chosen citizen out by typing wrong passwords for them.
//
// Keys are HMACs of the number and the IP: the counters live in Redis and neither value should sit
// there in clear (IPs and identity numbers are personal data).

export interface GuessLimiterOptions {
  /** HMAC key for the stored keys (a secret; derive it from the master key). */
  hmacKey: Buffer | string;
  /** Shared counters across processes; without it, counters live in this process's memory. */
  redis?: Redis | Cluster;
  keyPrefix?: string;
  /** Failures of a number after which each attempt must wait. Default 3. */
  delayAfter?: number;
  /** Longest wait between attempts before the lock. Default 60 s. */
  maxDelaySeconds?: number;
  /** Failures of a number within the window that close the password method for it. Default 10. */
  lockAfter?: number;
  /** Window in which failures of a number are counted. Default 15 min. */
  windowSeconds?: number;
  /** How long the password method stays closed for a number. Default 15 min. */
  lockSeconds?: number;
  /** Failures from one IP within its window that block that IP. Default 100. */
  ipLimit?: number;
  ipWindowSeconds?: number;
  ipBlockSeconds?: number;
}

export type GuessVerdict =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; reason: 'delay' | 'locked' | 'ip_blocked' };

const ALLOWED: GuessVerdict = { allowed: true };

const COUNT_AND_SECONDS_OPTIONS = [
  'delayAfter',
  'maxDelaySeconds',
  'lockAfter',
  'windowSeconds',
  'lockSeconds',
  'ipLimit',
  'ipWindowSeconds',
  'ipBlockSeconds',
] as const satisfies ReadonlyArray<keyof GuessLimiterOptions>;

/** Rate-limiter answers in milliseconds; people and Retry-After headers want whole seconds, at least 1. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The part of an address one client controls. An IPv6 host usually gets a whole /64 and can pick any
 * address in it, so counting per address would give one attacker 2^64 budgets: count per /64.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = ip.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class GuessLimiter {
  readonly #hmacKey: Buffer | string;
  readonly #delayAfter: number;
  readonly #maxDelaySeconds: number;
  readonly #lockAfter: number;
  readonly #lockSeconds: number;
  readonly #ipLimit: number;
  readonly #ipBlockSeconds: number;
  /** Failures per number in the window; a lock is a block written over the same key. */
  readonly #failures: RateLimiterAbstract;
  /** The growing wait after a failure: a block whose lifetime is the wait. */
  readonly #delays: RateLimiterAbstract;
  readonly #ips: RateLimiterAbstract;

  constructor(options: GuessLimiterOptions) {
    // Redis expiries are whole seconds and a zero expiry means "forever": a fractional or zero duration
    // would turn a 15-minute lock into a permanent one, so such options are refused outright.
    for (const name of COUNT_AND_SECONDS_OPTIONS) {
      const value = options[name];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new KapiError('config_invalid', `guess limiter: ${name} must be a positive whole number`);
      }
    }
    // An empty or short key would make the stored keys a plain, guessable hash of the identity number.
    if (options.hmacKey.length < 16) throw new KapiError('config_invalid', 'guess limiter: hmacKey must be at least 16 bytes');
    this.#hmacKey = options.hmacKey;
    this.#delayAfter = options.delayAfter ?? 3;
    this.#maxDelaySeconds = options.maxDelaySeconds ?? 60;
    this.#lockAfter = options.lockAfter ?? 10;
    this.#lockSeconds = options.lockSeconds ?? 15 * 60;
    this.#ipLimit = options.ipLimit ?? 100;
    this.#ipBlockSeconds = options.ipBlockSeconds ?? 15 * 60;
    const prefix = options.keyPrefix ?? 'kapi:guess';

    const make = (name: string, points: number, duration: number): RateLimiterAbstract =>
      options.redis
        ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `${prefix}:${name}`, points, duration })
        : new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });

    this.#failures = make('nid', this.#lockAfter, options.windowSeconds ?? 15 * 60);
    this.#delays = make('delay', 1, this.#maxDelaySeconds);
    this.#ips = make('ip', this.#ipLimit, options.ipWindowSeconds ?? 15 * 60);
  }

  /** Whether a password may be tried now. Call before verifying; it consumes nothing. */
  async check(nationalId: string, ip: string): Promise<GuessVerdict> {
    const [numberKey, ipKey] = [this.#numberKey(nationalId), this.#ipKey(ip)];
    const [failures, delay, ipFailures] = await this.#store(() =>
      Promise.all([this.#failures.get(numberKey), this.#delays.get(numberKey), this.#ips.get(ipKey)]),
    );
    // The longest wait is reported first: a person told "wait 2 s" while the number is locked for
    // 15 minutes would only be told again.
    if (failures && failures.consumedPoints >= this.#lockAfter) {
      return { allowed: false, reason: 'locked', retryAfterSeconds: seconds(failures.msBeforeNext) };
    }
    if (ipFailures && ipFailures.consumedPoints >= this.#ipLimit) {
      return { allowed: false, reason: 'ip_blocked', retryAfterSeconds: seconds(ipFailures.msBeforeNext) };
    }
    if (delay && delay.msBeforeNext > 0) {
      return { allowed: false, reason: 'delay', retryAfterSeconds: seconds(delay.msBeforeNext) };
    }
    return ALLOWED;
  }

  /** Counts a wrong password; returns what the next attempt will face. */
  async recordFailure(nationalId: string, ip: string): Promise<GuessVerdict> {
    const [numberKey, ipKey] = [this.#numberKey(nationalId), this.#ipKey(ip)];
    return this.#store(async () => {
      const [failures, ipFailures] = await Promise.all([this.#failures.penalty(numberKey), this.#ips.penalty(ipKey)]);

      let verdict: GuessVerdict = ALLOWED;
      const count = failures.consumedPoints;
      if (count >= this.#lockAfter) {
        // Rewrites the counter as "blocked" with the lock's lifetime; when it expires, counting restarts.
        await Promise.all([this.#failures.block(numberKey, this.#lockSeconds), this.#delays.delete(numberKey)]);
        verdict = { allowed: false, reason: 'locked', retryAfterSeconds: this.#lockSeconds };
      } else if (count >= this.#delayAfter) {
        const wait = this.#delaySeconds(count);
        await this.#delays.block(numberKey, wait);
        verdict = { allowed: false, reason: 'delay', retryAfterSeconds: wait };
      }

      if (ipFailures.consumedPoints >= this.#ipLimit) {
        await this.#ips.block(ipKey, this.#ipBlockSeconds);
        if (verdict.allowed || verdict.retryAfterSeconds < this.#ipBlockSeconds) {
          verdict = { allowed: false, reason: 'ip_blocked', retryAfterSeconds: this.#ipBlockSeconds };
        }
      }
      return verdict;
    });
  }

  /** A right password clears the number's history. The IP's stays: one success from an IP that is
   *  spraying guesses across many numbers must not buy it a fresh budget. */
  async recordSuccess(nationalId: string, _ip: string): Promise<void> {
    const numberKey = this.#numberKey(nationalId);
    await this.#store(() => Promise.all([this.#failures.delete(numberKey), this.#delays.delete(numberKey)]));
  }

  /** 1 s after `delayAfter` failures, doubling with each further failure, capped. */
  #delaySeconds(failures: number): number {
    return Math.min(2 ** (failures - this.#delayAfter), this.#maxDelaySeconds);
  }

  #numberKey(nationalId: string): string {
    // As typed, but without the spacing people use to group digits: "100 000 001 46" is the same guess.
    return hmac(this.#hmacKey, `nid:${nationalId.replace(/\s+/g, '')}`);
  }

  #ipKey(ip: string): string {
    return hmac(this.#hmacKey, `ip:${ipBucket(ip)}`);
  }

  /** A limiter that cannot reach its store fails closed: no guessing while the counters are unknown. */
  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (err instanceof KapiError) throw err;
      throw new KapiError('storage_unavailable', 'guess limiter store unavailable', {}, { cause: err });
    }
  }
}
