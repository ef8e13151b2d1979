import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { HealthTracker } from '../../adapters/mobile-operators/health.js';
import { NO_OBSERVER } from '../../adapters/mobile-operators/port.js';
import type { StateStore } from '../../adapters/storage/port.js';
import { MemoryStateStore } from '../../adapters/storage/state-memory.js';
import { RedisStateStore } from '../../adapters/storage/state-redis.js';
import { REDIS_URL, redisAvailable } from '../support/services.js';

// Attempts on the operator health every Kapı process now shares (issue 20 point 3, DESIGN.md third
// round): a citizen must not be able to take an operator away from everybody by repeating her own
// broken transaction on several processes, and a flood of page loads after the cool-down must not
// become a flood of probes at the operator. Each backend the deployment can run on: process memory
// (one process: two trackers stand for two pages) and Redis (two connections stand for two processes).

jest.setTimeout(60_000);

interface Shared {
  /** Two processes' views of one operator's health. */
  pair(operator: string, options?: ConstructorParameters<typeof HealthTracker>[3]): [HealthTracker, HealthTracker];
  close(): Promise<void>;
}

async function memoryBackend(): Promise<Shared> {
  const store = new MemoryStateStore();
  return {
    pair: (operator, options) => [new HealthTracker(operator, store, NO_OBSERVER, options), new HealthTracker(operator, store, NO_OBSERVER, options)],
    close: () => store.close(),
  };
}

async function redisBackend(): Promise<Shared> {
  const prefix = `kapi-health-${randomBytes(4).toString('hex')}:`;
  const stores: StateStore[] = [new RedisStateStore(REDIS_URL, { prefix }), new RedisStateStore(REDIS_URL, { prefix })];
  return {
    pair: (operator, options) => [new HealthTracker(operator, stores[0]!, NO_OBSERVER, options), new HealthTracker(operator, stores[1]!, NO_OBSERVER, options)],
    async close() {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      for (const store of stores) await store.close();
    },
  };
}

const redisUp = await redisAvailable();
if (!redisUp) {
  if (process.env.CI === 'true') throw new Error('Redis is not reachable, and CI=true requires it');
  console.warn('health-messages: Redis is not reachable; the Redis backend is skipped');
}
const backends: [string, () => Promise<Shared>][] = [
  ['process memory', memoryBackend],
  ...(redisUp ? [['Redis', redisBackend] as [string, () => Promise<Shared>]] : []),
];

describe.each(backends)('operator health shared by every process (%s)', (_name, open) => {
  let shared: Shared;
  beforeAll(async () => {
    shared = await open();
  });
  afterAll(async () => shared?.close());

  it("one phone's garbled answers, seen 20 times by each of two processes, count once (a citizen cannot trip the breaker for everybody)", async () => {
    const [a, b] = shared.pair('turkcell', { failuresToTrip: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).failure('malformed status response', 'phone-a')));
    expect(await a.snapshot()).toMatchObject({ state: 'unknown', consecutiveFailures: 1 });
    await b.failure('malformed status response', 'phone-b'); // another phone: the operator's own problem
    expect((await a.snapshot()).state).toBe('down');
  });

  it('network failures and 5xx pages seen by two processes all count: the breaker opens for the operator, whichever process saw them', async () => {
    const [a, b] = shared.pair('vodafone', { failuresToTrip: 3 });
    await a.failure('connect ECONNREFUSED');
    await b.failure('HTTP 503 without a SOAP fault');
    expect((await b.snapshot()).state).not.toBe('down');
    await a.failure('connect ECONNREFUSED');
    expect((await b.snapshot()).state).toBe('down');
    expect(await b.allowRequest()).toBe(false);
  });

  it('40 parallel page loads on two processes after the cool-down claim the probe exactly once (a flood of pages is not a flood of probes)', async () => {
    let now = 1_000_000;
    const [a, b] = shared.pair('turk-telekom', { failuresToTrip: 1, coolDownMs: 30_000, probeTimeoutMs: 5_000, now: () => now });
    await a.failure('connect ETIMEDOUT');
    const early = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claimProbe()));
    expect(early.filter(Boolean)).toHaveLength(0); // within the cool-down nobody probes
    now += 30_000;
    const due = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claimProbe()));
    expect(due.filter(Boolean)).toHaveLength(1);
    // A prober that never reports (its process died) holds the lock only for the probe's time.
    now += 4_000;
    expect((await Promise.all([a.claimProbe(), b.claimProbe()])).filter(Boolean)).toHaveLength(0);
    now += 2_000;
    expect((await Promise.all([a.claimProbe(), b.claimProbe()])).filter(Boolean)).toHaveLength(1);
    // Its success is everybody's: both processes let requests through again.
    await b.success();
    expect(await a.allowRequest()).toBe(true);
    expect((await a.snapshot()).state).toBe('up');
  });

  it('a failed probe starts the cool-down again: the next probe is due only a cool-down later', async () => {
    let now = 2_000_000;
    const [a, b] = shared.pair('operator-x', { failuresToTrip: 1, coolDownMs: 10_000, now: () => now });
    await a.failure('connect ECONNREFUSED');
    now += 10_000;
    expect(await b.claimProbe()).toBe(true);
    await b.failure('connect ECONNREFUSED'); // the probe's outcome
    expect(await a.claimProbe()).toBe(false);
    now += 9_000;
    expect(await a.claimProbe()).toBe(false);
    now += 1_000;
    expect(await a.claimProbe()).toBe(true);
  });
});
