import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KapiError } from '../../src/errors.js';
import { wholeSeconds, type Counter, type CounterOptions, type CounterState, type Limiters, type Take } from '../../src/security/limiters.js';
import { RedisScript } from './redis-script.js';
import { type ReplicaWait, waitForReplicas } from './replica-wait.js';

// The limiter port (src/security/limiters.ts) on rate-limiter-flexible: RateLimiterRedis when the
// process has Redis (its consume is one single-key Lua script: atomic, and fine on Redis Cluster),
// RateLimiterMemory otherwise (one process; each operation is one synchronous step). A counter whose
// store cannot be reached fails closed: storage_unavailable (503), never a silent pass.

// A counter's value and remaining lifetime in one command. rate-limiter-flexible's own get() sends
// MULTI, GET, PTTL, EXEC: four commands per counter (issue 8: one per counter).
const READ_COUNTER = new RedisScript(`
local points = redis.call('GET', KEYS[1])
if not points then return false end
return {points, redis.call('PTTL', KEYS[1])}
`);

// Giving a point back never takes a counter below zero, and never brings back a key that expired or
// was reset in the meantime (rate-limiter-flexible's reward() would create it at -1: a free point).
const GIVE_BACK = new RedisScript(`
local points = tonumber(redis.call('GET', KEYS[1]))
if not points or points <= 0 then return 0 end
local left = points - tonumber(ARGV[1])
if left < 0 then left = 0 end
redis.call('SET', KEYS[1], left, 'KEEPTTL')
return left
`);

/** The longest window or block a counter keeps (Node timers hold at most 2^31 - 1 ms). */
export const MAX_SECONDS = 24 * 86_400;

export interface LimiterStoreOptions {
  /** Shared counters across processes; without it, counters live in this process's memory. */
  redis?: Redis | Cluster | undefined;
  /** The deployment's key prefix (KAPI_REDIS_PREFIX); each counter's name follows it. */
  keyPrefix: string;
  /**
   * With Redis replicas: a point taken (and a penalty or block added) waits for this many replicas before
   * the request goes on, so a failover cannot hand an attacker back the guesses he already made.
   */
  replicaWait?: ReplicaWait | undefined;
}

class RateLimiterCounter implements Counter {
  readonly name: string;
  readonly points: number;
  readonly #limiter: RateLimiterAbstract;
  readonly #redis: Redis | Cluster | undefined;
  readonly #replicaWait: ReplicaWait | undefined;

  constructor(options: CounterOptions, store: LimiterStoreOptions) {
    for (const [name, value] of [
      ['points', options.points],
      ['durationSeconds', options.durationSeconds],
      ['blockSeconds', options.blockSeconds ?? 1],
    ] as const) {
      // Redis expiries are whole seconds and a zero expiry means "forever": refused outright.
      if (!Number.isInteger(value) || value < 1) throw new KapiError('config_invalid', `limiter ${options.name}: ${name} must be a positive whole number`);
    }
    // rate-limiter-flexible's memory store expires keys with setTimeout, which fires at once for delays
    // past 2^31 ms (24.8 days): such a counter would forget every point.
    if (options.durationSeconds > MAX_SECONDS || (options.blockSeconds ?? 0) > MAX_SECONDS)
      throw new KapiError('config_invalid', `limiter ${options.name}: windows and blocks are at most ${MAX_SECONDS} s (24 days)`);
    this.name = options.name;
    this.points = options.points;
    this.#redis = store.redis;
    this.#replicaWait = store.replicaWait;
    const settings = {
      keyPrefix: `${store.keyPrefix}${options.name}`,
      points: options.points,
      duration: options.durationSeconds,
      ...(options.blockSeconds ? { blockDuration: options.blockSeconds } : {}),
    };
    this.#limiter = store.redis ? new RateLimiterRedis({ ...settings, storeClient: store.redis }) : new RateLimiterMemory(settings);
  }

  async take(key: string, options: { points?: number; durationSeconds?: number } = {}): Promise<Take> {
    try {
      const res = await this.#limiter.consume(key, options.points ?? 1, options.durationSeconds ? { customDuration: options.durationSeconds } : {});
      await this.#durable(key);
      return { allowed: true, consumed: res.consumedPoints, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
    } catch (err) {
      if (err instanceof RateLimiterRes)
        return { allowed: false, consumed: err.consumedPoints, retryAfterSeconds: wholeSeconds(err.msBeforeNext), msBeforeNext: err.msBeforeNext };
      throw unavailable(this.name, err);
    }
  }

  async giveBack(key: string, points = 1): Promise<void> {
    await this.#store(async () => {
      if (this.#redis) {
        await GIVE_BACK.run(this.#redis, [this.#limiter.getKey(key)], [points]);
        return;
      }
      // Memory: get() and reward() each finish synchronously inside their promise, but another request
      // may run between the two awaits; the check keeps the count from going below zero all the same.
      const current = await this.#limiter.get(key);
      if (current && current.consumedPoints > 0) await this.#limiter.reward(key, Math.min(points, current.consumedPoints));
    });
  }

  async add(key: string, points = 1): Promise<CounterState> {
    const res = await this.#store(() => this.#limiter.penalty(key, points));
    await this.#durable(key);
    return { consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
  }

  async peek(key: string): Promise<CounterState | null> {
    return this.#store(async () => {
      if (!this.#redis) {
        const res = await this.#limiter.get(key);
        return res ? { consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext } : null;
      }
      const found = (await READ_COUNTER.run(this.#redis, [this.#limiter.getKey(key)], [])) as [string, number] | null;
      return found ? { consumed: Number.parseInt(found[0], 10), msBeforeNext: found[1] } : null;
    });
  }

  async block(key: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SECONDS)
      throw new KapiError('config_invalid', `limiter ${this.name}: a block must last a whole number of seconds from 1 to 24 days`);
    await this.#store(() => this.#limiter.block(key, seconds));
    await this.#durable(key);
  }

  async reset(key: string): Promise<void> {
    await this.#store(() => this.#limiter.delete(key));
  }

  async #durable(key: string): Promise<void> {
    if (this.#redis) await waitForReplicas(this.#redis, this.#replicaWait, this.#limiter.getKey(key));
  }

  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw unavailable(this.name, err);
    }
  }
}

function unavailable(name: string, cause: unknown): KapiError {
  if (cause instanceof KapiError) return cause;
  return new KapiError('storage_unavailable', `limiter ${name}: store unavailable`, {}, { cause });
}

/**
 * The process's limiter factory. Counters are kept by their options: two parts of Kapı asking for
 * the same counter share it in memory, as they share its keys on Redis.
 */
export function createLimiters(options: LimiterStoreOptions): Limiters {
  const counters = new Map<string, Counter>();
  return {
    kind: options.redis ? 'redis' : 'memory',
    counter(counterOptions) {
      const id = JSON.stringify([counterOptions.name, counterOptions.points, counterOptions.durationSeconds, counterOptions.blockSeconds ?? 0]);
      let counter = counters.get(id);
      if (!counter) counters.set(id, (counter = new RateLimiterCounter(counterOptions, options)));
      return counter;
    },
  };
}
