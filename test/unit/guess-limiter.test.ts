import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { isKapiError } from '../../src/errors.js';
import { createLimiters } from '../../adapters/storage/limiters.js';
import { GuessLimiter, ipBucket, type GuessLimiterOptions, type GuessVerdict } from '../../src/security/guess-limiter.js';

const HMAC_KEY = 'test-guess-limiter-key-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const AYSE = '10000000146';
const MEHMET = '12345678950';
const IP = '203.0.113.7';
/** Valid numbers of one block: the first 7 digits (1000000) are Ayşe's. */
const BLOCK = ['10000000078', '10000000214', '10000000382', '10000000450', '10000000528', '10000000696'];
/** A valid number of another block. */
const ELSEWHERE = '34567891238';
/** A different client address for each attempt, as a botnet sends them. */
const sprayIp = (i: number) => `198.51.100.${10 + i}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why Redis cannot be used here, or null when it answers. */
async function redisProblem(): Promise<string | null> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return `Redis at ${REDIS_URL} is unreachable (${(err as Error).message})`;
  } finally {
    client.disconnect();
  }
}

/** One wrong password: the attempt takes its points, then fails; a refused attempt answers its refusal. */
async function wrong(limiter: GuessLimiter, nationalId = AYSE, ip = IP): Promise<GuessVerdict> {
  const attempt = await limiter.begin(nationalId, ip);
  return attempt.allowed ? attempt.failed() : { allowed: false, reason: attempt.reason, retryAfterSeconds: attempt.retryAfterSeconds };
}

/** One right password; throws when the attempt is refused. */
async function right(limiter: GuessLimiter, nationalId = AYSE, ip = IP): Promise<void> {
  const attempt = await limiter.begin(nationalId, ip);
  if (!attempt.allowed) throw new Error(`refused: ${JSON.stringify(attempt)}`);
  await attempt.succeeded();
}

async function fail(limiter: GuessLimiter, times: number, nationalId = AYSE, ip = IP): Promise<void> {
  for (let i = 0; i < times; i++) {
    const verdict = await wrong(limiter, nationalId, ip);
    if (!verdict.allowed && i < times - 1 && verdict.reason !== 'delay' && verdict.reason !== 'prefix_delay')
      throw new Error(`attempt ${i + 1} refused: ${JSON.stringify(verdict)}`);
  }
}

type Factory = (options: Partial<Omit<GuessLimiterOptions, 'limiters'>>) => GuessLimiter;

const inMemory = () => createLimiters({ keyPrefix: `test:${randomUUID()}:` });

function behaviour(make: Factory): void {
  it('allows attempts until the delay threshold, and checking consumes nothing', async () => {
    const limiter = make({ delayAfter: 3 });
    for (let i = 0; i < 20; i++) await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter)).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter)).resolves.toEqual({ allowed: true });
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
  });

  it('asks for a delay that doubles with each failure after the threshold, up to the cap, and refuses attempts inside it', async () => {
    const limiter = make({ delayAfter: 2, maxDelaySeconds: 2, lockAfter: 10 });
    await fail(limiter, 1);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const verdict = await wrong(limiter);
      if (verdict.allowed || verdict.reason !== 'delay') throw new Error(`expected a delay, got ${JSON.stringify(verdict)}`);
      waits.push(verdict.retryAfterSeconds);
      // An attempt inside the wait is refused before anything is checked.
      await expect(limiter.begin(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'delay' });
      await sleep(verdict.retryAfterSeconds * 1000 + 100);
    }
    expect(waits).toEqual([1, 2, 2]);
  });

  it('lets the next attempt through once the delay has passed', async () => {
    const limiter = make({ delayAfter: 1 });
    await expect(wrong(limiter)).resolves.toEqual({ allowed: false, reason: 'delay', retryAfterSeconds: 1 });
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: false, reason: 'delay', retryAfterSeconds: 1 });
    await sleep(1100);
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
    await expect(limiter.begin(AYSE, IP)).resolves.toMatchObject({ allowed: true });
  });

  it('closes the password method for the number after the lock threshold, from every IP, then reopens it', async () => {
    const limiter = make({ delayAfter: 10, lockAfter: 4, lockSeconds: 2 });
    await fail(limiter, 3);
    await expect(wrong(limiter)).resolves.toEqual({ allowed: false, reason: 'locked', retryAfterSeconds: 2 });
    await expect(limiter.check(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
    await expect(limiter.begin(AYSE, '198.51.100.20')).resolves.toMatchObject({ allowed: false, reason: 'locked' });
    // Another number from the same IP is not affected: the lock belongs to the typed number.
    await expect(limiter.check(MEHMET, IP)).resolves.toEqual({ allowed: true });
    await sleep(2100);
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
    // Counting starts over after the lock.
    await expect(wrong(limiter)).resolves.toEqual({ allowed: true });
  });

  it('limits numbers nobody holds exactly like real ones', async () => {
    const limiter = make({ lockAfter: 2 });
    await fail(limiter, 2, '99999999999');
    await expect(limiter.check('99999999999', IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
    await fail(limiter, 2, 'garbage typed');
    await expect(limiter.check('garbage typed', IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it('treats the number with or without spaces as the same guess target', async () => {
    const limiter = make({ lockAfter: 2 });
    await wrong(limiter, '100 000 001 46', IP);
    await wrong(limiter, AYSE, IP);
    await expect(limiter.check(' 10000000146 ', IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it("clears the number's failures on success, but not the IP's", async () => {
    const limiter = make({ delayAfter: 3, lockAfter: 4, ipLimit: 5 });
    await fail(limiter, 3);
    await expect(limiter.check(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'delay' });
    await sleep(1100);
    await right(limiter);
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter)).resolves.toEqual({ allowed: true });
    // The IP has 4 failures on record (the success gave its own point back); one more blocks it.
    await expect(wrong(limiter, MEHMET, IP)).resolves.toMatchObject({ allowed: false, reason: 'ip_blocked' });
  });

  it('blocks an IP that spreads failures over many numbers, and only that IP', async () => {
    const limiter = make({ ipLimit: 5, ipBlockSeconds: 60 });
    const numbers = ['10000000146', '12345678950', '10090908018', '23654859046', '56789123416'];
    for (const number of numbers.slice(0, 4)) await expect(wrong(limiter, number, IP)).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter, numbers[4]!, IP)).resolves.toEqual({ allowed: false, reason: 'ip_blocked', retryAfterSeconds: 60 });
    const verdict = await limiter.begin('19876543238', IP);
    expect(verdict).toMatchObject({ allowed: false, reason: 'ip_blocked' });
    expect(verdict.allowed === false && verdict.retryAfterSeconds).toBeGreaterThan(55);
    await expect(limiter.check('19876543238', '198.51.100.20')).resolves.toEqual({ allowed: true });
  });

  it('counts an IPv6 client per /64', async () => {
    const limiter = make({ ipLimit: 2 });
    await wrong(limiter, AYSE, '2001:db8:1:2::1');
    await wrong(limiter, MEHMET, '2001:db8:1:2:ffff::99');
    await expect(limiter.check('10090908018', '2001:db8:1:2:abcd::7')).resolves.toMatchObject({ allowed: false, reason: 'ip_blocked' });
    await expect(limiter.check('10090908018', '2001:db8:1:3::1')).resolves.toEqual({ allowed: true });
  });

  it('slows every number of a block, from any IP, once failures spread over the block pass its limit; other blocks are untouched', async () => {
    // Each number is tried once from its own address: the per-number and per-IP limits never fire.
    const limiter = make({ prefixLimit: 4, prefixDelaySeconds: 60 });
    for (let i = 0; i < 3; i++) await expect(wrong(limiter, BLOCK[i]!, sprayIp(i))).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter, BLOCK[3]!, sprayIp(3))).resolves.toEqual({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: 60 });
    // A number of the block nobody has tried, from a fresh address: it waits too.
    const verdict = await limiter.begin(AYSE, '192.0.2.200');
    expect(verdict).toMatchObject({ allowed: false, reason: 'prefix_delay' });
    expect(verdict.allowed === false && verdict.retryAfterSeconds).toBeGreaterThan(55);
    await expect(limiter.check(BLOCK[5]!, sprayIp(3))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
    // Another block, even from an address that took part in the spray, is not slowed.
    await expect(limiter.check(ELSEWHERE, sprayIp(3))).resolves.toEqual({ allowed: true });
  });

  it("a block's wait is short: it lapses by itself, and only a further failure brings it back", async () => {
    const limiter = make({ prefixLimit: 2, prefixDelaySeconds: 1 });
    await wrong(limiter, BLOCK[0]!, sprayIp(0));
    await expect(wrong(limiter, BLOCK[1]!, sprayIp(1))).resolves.toEqual({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: 1 });
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: 1 });
    await sleep(1100);
    await expect(limiter.check(AYSE, IP)).resolves.toEqual({ allowed: true });
    // The block's count is still past the limit within its window: the next failure slows it again.
    await expect(wrong(limiter, BLOCK[2]!, sprayIp(2))).resolves.toEqual({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: 1 });
  });

  it("a right password on one number of the block does not clear the block's count", async () => {
    const limiter = make({ prefixLimit: 3, prefixDelaySeconds: 60 });
    await wrong(limiter, BLOCK[0]!, sprayIp(0));
    await wrong(limiter, BLOCK[1]!, sprayIp(1));
    await right(limiter, BLOCK[2]!, sprayIp(2));
    await expect(wrong(limiter, BLOCK[3]!, sprayIp(3))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
    await expect(limiter.check(BLOCK[4]!, sprayIp(4))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
  });

  it('puts a number typed with spaces in its block', async () => {
    const limiter = make({ prefixLimit: 2, prefixDelaySeconds: 60 });
    await wrong(limiter, '100 000 002 14', sprayIp(0));
    await wrong(limiter, ' 10000000382', sprayIp(1));
    await expect(limiter.check(AYSE, sprayIp(2))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
  });

  it('takes the block length from the options', async () => {
    // With 3 digits, 10000000146 and 10090908018 share the block "100"; with the default 7 they do not.
    const short = make({ prefixLength: 3, prefixLimit: 2, prefixDelaySeconds: 60 });
    const standard = make({ prefixLimit: 2, prefixDelaySeconds: 60 });
    for (const limiter of [short, standard]) {
      await wrong(limiter, AYSE, sprayIp(0));
      await wrong(limiter, '10090908018', sprayIp(1));
    }
    await expect(short.check('10012345678', sprayIp(2))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
    await expect(standard.check('10012345678', sprayIp(2))).resolves.toEqual({ allowed: true });
  });

  it("reports the longer of the number's own delay and the block's, and a lock over both", async () => {
    const slowed = make({ delayAfter: 1, maxDelaySeconds: 4, prefixLimit: 1, prefixDelaySeconds: 60 });
    await expect(wrong(slowed)).resolves.toEqual({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: 60 });
    await expect(slowed.begin(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
    const shortBlockWait = make({ delayAfter: 1, maxDelaySeconds: 60, prefixLimit: 1, prefixDelaySeconds: 1 });
    await wrong(shortBlockWait);
    await sleep(1100);
    await expect(wrong(shortBlockWait)).resolves.toEqual({ allowed: false, reason: 'delay', retryAfterSeconds: 2 });
    await expect(shortBlockWait.begin(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'delay' });
    const locked = make({ lockAfter: 2, lockSeconds: 600, prefixLimit: 2, prefixDelaySeconds: 30 });
    await fail(locked, 1);
    await expect(wrong(locked)).resolves.toEqual({ allowed: false, reason: 'locked', retryAfterSeconds: 600 });
    await expect(locked.begin(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it('reports the lock rather than a shorter delay when both apply', async () => {
    const limiter = make({ delayAfter: 2, lockAfter: 3, lockSeconds: 30 });
    await fail(limiter, 2);
    await sleep(1100);
    await expect(wrong(limiter)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
    await expect(limiter.check(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it('takes its points before the check: ten attempts begun at once on one number get exactly lockAfter', async () => {
    const limiter = make({ delayAfter: 100, lockAfter: 4 });
    const attempts = await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.begin(AYSE, sprayIp(i))));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(4);
    expect(attempts.filter((a) => !a.allowed).map((a) => !a.allowed && a.reason)).toEqual(Array(6).fill('locked'));
  });

  it('past the delay threshold, attempts begun at once wait for each other: one runs at a time', async () => {
    const limiter = make({ delayAfter: 2, lockAfter: 100 });
    await fail(limiter, 2);
    await sleep(1100);
    const attempts = await Promise.all(Array.from({ length: 5 }, () => limiter.begin(AYSE, IP)));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(1);
    expect(attempts.filter((a) => !a.allowed && a.reason === 'delay')).toHaveLength(4);
  });

  it("past a block's limit, attempts begun at once on the block wait for each other: one runs at a time", async () => {
    const limiter = make({ prefixLimit: 2, prefixDelaySeconds: 60 });
    await wrong(limiter, BLOCK[0]!, sprayIp(0));
    const attempts = await Promise.all(BLOCK.slice(1).map((n, i) => limiter.begin(n, sprayIp(i + 1))));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(1);
    expect(attempts.filter((a) => !a.allowed && a.reason === 'prefix_delay')).toHaveLength(BLOCK.length - 2);
  });

  it('an attempt refused by a later counter gives back the points it took from the earlier ones', async () => {
    const limiter = make({ ipLimit: 2, lockAfter: 2 });
    await fail(limiter, 2, MEHMET, IP); // blocks the IP
    for (let i = 0; i < 5; i++) await expect(limiter.begin(AYSE, IP)).resolves.toMatchObject({ allowed: false, reason: 'ip_blocked' });
    // Ayşe's number lost nothing to the refused attempts: both of its guesses are still there.
    await expect(wrong(limiter, AYSE, sprayIp(1))).resolves.toEqual({ allowed: true });
    await expect(wrong(limiter, AYSE, sprayIp(2))).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it('a right password gives its IP point back: successes never block an address', async () => {
    const limiter = make({ ipLimit: 2 });
    for (let i = 0; i < 5; i++) await right(limiter, AYSE, IP);
    await expect(wrong(limiter, MEHMET, IP)).resolves.toEqual({ allowed: true });
  });
}

describe('ipBucket', () => {
  it('keeps IPv4 addresses, unwraps IPv4-mapped ones and cuts IPv6 to /64', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('GuessLimiter options', () => {
  it('refuses durations that Redis would turn into a permanent lock, and short keys', () => {
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: HMAC_KEY, lockSeconds: 0.5 })).toThrow(/lockSeconds/);
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: HMAC_KEY, ipBlockSeconds: 0 })).toThrow(/ipBlockSeconds/);
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: 'short' })).toThrow(/hmacKey/);
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: HMAC_KEY, prefixDelaySeconds: 0 })).toThrow(/prefixDelaySeconds/);
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: HMAC_KEY, prefixLength: 0 })).toThrow(/prefixLength/);
    // A "prefix" of all 11 digits would be the per-number limit again.
    expect(() => new GuessLimiter({ limiters: inMemory(), hmacKey: HMAC_KEY, prefixLength: 11 })).toThrow(/prefixLength/);
  });

  it('fails closed with storage_unavailable when Redis cannot be reached', async () => {
    const offline = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    const limiter = new GuessLimiter({ hmacKey: HMAC_KEY, limiters: createLimiters({ redis: offline, keyPrefix: 'test:' }) });
    const error = await limiter.check(AYSE, IP).catch((err: unknown) => err);
    expect(isKapiError(error) && error.code).toBe('storage_unavailable');
    const failure = await limiter.begin(AYSE, IP).catch((err: unknown) => err);
    expect(isKapiError(failure) && failure.code).toBe('storage_unavailable');
    offline.disconnect();
  });
});

describe('GuessLimiter in memory', () => {
  behaviour((options) => new GuessLimiter({ hmacKey: HMAC_KEY, limiters: inMemory(), ...options }));
});

const problem = await redisProblem();
if (problem && process.env.CI !== 'true') {
  console.warn(`Skipping the Redis guess-limiter tests: ${problem}. Set REDIS_URL, or CI=true to make this a failure.`);
}

(problem && process.env.CI !== 'true' ? describe.skip : describe)('GuessLimiter on Redis', () => {
  const prefix = `kapi-test:${process.pid}:${randomUUID()}`;
  let redis: Redis;

  beforeAll(() => {
    if (problem) throw new Error(problem);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  behaviour((options) => new GuessLimiter({ hmacKey: HMAC_KEY, limiters: createLimiters({ redis, keyPrefix: `${prefix}:${randomUUID()}:` }), ...options }));

  it('stores neither the identity number, nor its block, nor the IP in its keys', async () => {
    const keyPrefix = `${prefix}:privacy`;
    const limiter = new GuessLimiter({ hmacKey: HMAC_KEY, limiters: createLimiters({ redis, keyPrefix: `${keyPrefix}:` }), delayAfter: 1, prefixLimit: 1 });
    await wrong(limiter, AYSE, IP);
    const keys = await redis.keys(`${keyPrefix}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys.map((k) => k.slice(keyPrefix.length))) {
      expect(key).not.toContain(AYSE);
      expect(key).not.toContain(AYSE.slice(0, 7));
      expect(key).not.toContain(IP);
    }
  });

  it('shares counters between limiters on the same Redis, as processes behind a load balancer do', async () => {
    const keyPrefix = `${prefix}:shared`;
    const first = new GuessLimiter({ hmacKey: HMAC_KEY, limiters: createLimiters({ redis, keyPrefix: `${keyPrefix}:` }), lockAfter: 2 });
    const second = new GuessLimiter({ hmacKey: HMAC_KEY, limiters: createLimiters({ redis, keyPrefix: `${keyPrefix}:` }), lockAfter: 2 });
    await wrong(first, AYSE, IP);
    await wrong(second, AYSE, '198.51.100.20');
    await expect(first.check(AYSE, '192.0.2.1')).resolves.toMatchObject({ allowed: false, reason: 'locked' });
  });

  it("shares a block's count between limiters on the same Redis", async () => {
    const keyPrefix = `${prefix}:shared-block`;
    const first = new GuessLimiter({
      hmacKey: HMAC_KEY,
      limiters: createLimiters({ redis, keyPrefix: `${keyPrefix}:` }),
      prefixLimit: 2,
      prefixDelaySeconds: 60,
    });
    const second = new GuessLimiter({
      hmacKey: HMAC_KEY,
      limiters: createLimiters({ redis, keyPrefix: `${keyPrefix}:` }),
      prefixLimit: 2,
      prefixDelaySeconds: 60,
    });
    await wrong(first, BLOCK[0]!, sprayIp(0));
    await expect(wrong(second, BLOCK[1]!, sprayIp(1))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
    await expect(first.check(AYSE, sprayIp(2))).resolves.toMatchObject({ allowed: false, reason: 'prefix_delay' });
  });
});
