import { isIPv4, isIPv6 } from 'node:net';
import { KapiError } from '../errors.js';
import { hmac } from './crypto.js';
import { takeAll, type Counter, type Limiters, type Take } from './limiters.js';

// Guess limits for the password method. They are keyed on the identity number as typed (whether or
// not anyone holds it, so the limiter's answers do not reveal who has an account) and on the client
// IP. They slow and then temporarily close the PASSWORD METHOD for that number; the account itself is
// never locked, so strong methods (e-signature, mobile signature, ID card) keep working and nobody can
// lock a chosen citizen out by typing wrong passwords for them.
//
// Keys are HMACs of the number and the IP: the counters live in Redis and neither value should sit
// there in clear (IPs and identity numbers are personal data).
//
// A third counter is keyed on the number's PREFIX (its first `prefixLength` digits). A distributed spray
// (many IPs, each number tried once or twice) over one block of numbers passes under both the per-number
// and the per-IP limits; counted per block, it does not. Beyond `prefixLimit` failures in the window,
// every failure on the block makes the next attempt on ANY number of the block wait `prefixDelaySeconds`.
// The wait is a short, fixed slow-down and never a lock, because it also falls on the block's other
// holders: an attacker who makes it fire against a chosen citizen costs her at most that many seconds
// after his last failure, and, like every limit here, it touches only the password method.
//
// Every attempt takes its points before the password is checked (`begin`), so parallel attempts never
// get more checks than the limits allow (issue 19). A browser that signed in as the person before
// (OWASP device cookie, src/security/device-cookies.ts) has its own allowance, apart from every
// stranger's counter: nobody can lock the owner's own browser out. Strangers' consecutive failures on
// a number end, at 100 (NIST SP 800-63B 5.2.2), in a hard limit only the owner lifts.

export interface GuessLimiterOptions {
  /** HMAC key for the stored keys (a secret; derive it from the master key). */
  hmacKey: Buffer | string;
  /** The process's limiter factory (shared counters on Redis, or this process's memory). */
  limiters: Limiters;
  /** Names the counters (after the deployment's prefix). Default 'guess'. */
  name?: string;
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
  /**
   * Leading digits that make an identity number's block. Default 7: of the 9 digits a person's number
   * is free in (the last two are check digits) it leaves 2, so a block is 100 valid numbers. At 6 a
   * block is 1,000 numbers, so ordinary typing mistakes add up ten times faster and one slow-down falls
   * on ten times more people; at 8 a block is only 10 numbers, and a spray over a registry range is
   * spread too thin for any block to reach the limit. At most 10 (11 would be the number itself).
   */
  prefixLength?: number;
  /** Failures on the numbers of one block within its window before each attempt there must wait. Default 20. */
  prefixLimit?: number;
  /** Window in which failures of a block are counted. Default 15 min. */
  prefixWindowSeconds?: number;
  /** The wait on the whole block after each failure beyond `prefixLimit`. Default 30 s. */
  prefixDelaySeconds?: number;
  /**
   * Consecutive failures of strangers on a number after which its password method is closed to them
   * until the owner signs in (any method, or from her own browser) or renews her password. Default and
   * most 100: NIST SP 800-63B 5.2.2.
   */
  hardLimit?: number;
  /** How long a run of consecutive failures is remembered without a success. Default 21 days, at most 24. */
  hardLimitDays?: number;
}

export type GuessVerdict =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; reason: 'delay' | 'prefix_delay' | 'locked' | 'ip_blocked' | 'hard_locked' };

export type GuessRefusal = Extract<GuessVerdict, { allowed: false }>;

/** One password attempt whose points are taken: the caller checks the password, then says how it went. */
export interface GuessAttempt {
  readonly allowed: true;
  /** The password was right: the number's history is cleared and this attempt's points go back. */
  succeeded(): Promise<void>;
  /** The password was wrong: the points stay; answers what the next attempt will face. */
  failed(): Promise<GuessVerdict>;
}

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
  'prefixLength',
  'prefixLimit',
  'prefixWindowSeconds',
  'prefixDelaySeconds',
  'hardLimit',
  'hardLimitDays',
] as const satisfies ReadonlyArray<keyof GuessLimiterOptions>;

/** Rate-limiter answers in milliseconds; people and Retry-After headers want whole seconds, at least 1. */
/**
 * Waits for every operation, then fails with the first error if any failed: as the one-after-another
 * version did, the caller hears of a store that could not be reached, and no operation is left running.
 */
async function settleAll(operations: Array<Promise<void> | undefined>): Promise<void> {
  const outcomes = await Promise.allSettled(operations);
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

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
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class GuessLimiter {
  readonly #hmacKey: Buffer | string;
  readonly #delayAfter: number;
  readonly #maxDelaySeconds: number;
  readonly #lockAfter: number;
  readonly #lockSeconds: number;
  readonly #ipLimit: number;
  readonly #ipBlockSeconds: number;
  readonly #prefixLength: number;
  readonly #prefixLimit: number;
  readonly #prefixDelaySeconds: number;
  readonly #hardLimit: number;
  /** Strangers' failures per number in the window; a lock is a block written over the same key. */
  readonly #failures: Counter;
  /** The growing wait after a failure: a block whose lifetime is the wait. */
  readonly #delays: Counter;
  readonly #ips: Counter;
  /** Failures per block of numbers (same prefix) in the window. */
  readonly #prefixFailures: Counter;
  /** The block's wait after a failure beyond the limit: a block whose lifetime is the wait. */
  readonly #prefixDelays: Counter;
  /** Strangers' consecutive failures per number (NIST SP 800-63B 5.2.2), cleared only by the owner. */
  readonly #run: Counter;
  /** Each known browser's own failures and wait for its person (keyed by number and device id). */
  readonly #browserFailures: Counter;
  readonly #browserDelays: Counter;

  constructor(options: GuessLimiterOptions) {
    // Redis expiries are whole seconds and a zero expiry means "forever": a fractional or zero duration
    // would turn a 15-minute lock into a permanent one, so such options are refused outright.
    for (const name of COUNT_AND_SECONDS_OPTIONS) {
      const value = options[name];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new KapiError('config_invalid', `guess limiter: ${name} must be a positive whole number`);
      }
    }
    if (options.prefixLength !== undefined && options.prefixLength > 10) {
      throw new KapiError('config_invalid', 'guess limiter: prefixLength must be at most 10 (11 digits are the whole number)');
    }
    if (options.hardLimitDays !== undefined && options.hardLimitDays > 24) {
      throw new KapiError('config_invalid', 'guess limiter: hardLimitDays must be at most 24');
    }
    if (options.hardLimit !== undefined && options.hardLimit > 100) {
      throw new KapiError('config_invalid', 'guess limiter: hardLimit must be at most 100 (NIST SP 800-63B 5.2.2)');
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
    this.#prefixLength = options.prefixLength ?? 7;
    this.#prefixLimit = options.prefixLimit ?? 20;
    this.#prefixDelaySeconds = options.prefixDelaySeconds ?? 30;
    this.#hardLimit = options.hardLimit ?? 100;
    const windowSeconds = options.windowSeconds ?? 15 * 60;
    const prefix = options.name ?? 'guess';
    const make = (name: string, points: number, durationSeconds: number): Counter =>
      options.limiters.counter({ name: `${prefix}:${name}`, points, durationSeconds });

    this.#failures = make('nid', this.#lockAfter, windowSeconds);
    this.#delays = make('delay', 1, this.#maxDelaySeconds);
    this.#ips = make('ip', this.#ipLimit, options.ipWindowSeconds ?? 15 * 60);
    this.#prefixFailures = make('nid-prefix', this.#prefixLimit, options.prefixWindowSeconds ?? 15 * 60);
    this.#prefixDelays = make('nid-prefix-delay', 1, this.#prefixDelaySeconds);
    this.#run = make('nid-run', this.#hardLimit, (options.hardLimitDays ?? 21) * 86_400);
    this.#browserFailures = make('nid-browser', this.#lockAfter, windowSeconds);
    this.#browserDelays = make('browser-delay', 1, this.#maxDelaySeconds);
  }

  /** What a stranger's attempt would face now, without taking anything (a preview; `begin` decides). */
  async check(nationalId: string, ip: string): Promise<GuessVerdict> {
    const [numberKey, ipKey, prefixKey] = [this.#numberKey(nationalId), this.#ipKey(ip), this.#prefixKey(nationalId)];
    const [run, failures, delay, ipFailures, prefixDelay] = await this.#store(() =>
      Promise.all([
        this.#run.peek(numberKey),
        this.#failures.peek(numberKey),
        this.#delays.peek(numberKey),
        this.#ips.peek(ipKey),
        this.#prefixDelays.peek(prefixKey),
      ]),
    );
    // The longest wait is reported first: a person told "wait 2 s" while the number is locked for
    // 15 minutes would only be told again.
    if (run && run.consumed >= this.#hardLimit) return { allowed: false, reason: 'hard_locked', retryAfterSeconds: seconds(run.msBeforeNext) };
    if (failures && failures.consumed >= this.#lockAfter) {
      return { allowed: false, reason: 'locked', retryAfterSeconds: seconds(failures.msBeforeNext) };
    }
    if (ipFailures && ipFailures.consumed >= this.#ipLimit) {
      return { allowed: false, reason: 'ip_blocked', retryAfterSeconds: seconds(ipFailures.msBeforeNext) };
    }
    const numberWait = delay && delay.msBeforeNext > 0 ? delay.msBeforeNext : 0;
    const prefixWait = prefixDelay && prefixDelay.msBeforeNext > 0 ? prefixDelay.msBeforeNext : 0;
    if (prefixWait > numberWait) return { allowed: false, reason: 'prefix_delay', retryAfterSeconds: seconds(prefixWait) };
    if (numberWait > 0) return { allowed: false, reason: 'delay', retryAfterSeconds: seconds(numberWait) };
    return ALLOWED;
  }

  /**
   * Takes the attempt's points BEFORE the password is checked, one counter at a time in a fixed order,
   * each atomically; a counter that refuses gives the points taken before it back. N attempts sent at
   * once therefore never get more password checks than the number has guesses left (issue 19).
   *
   * `device` is the browser's own device id for this number (a valid device cookie, OWASP): its
   * attempts count against that browser's own allowance (the same lock and delays, keyed by the
   * device), never against the strangers' counters of the number, the IP, the block or the run of
   * consecutive failures, so no stranger can lock the owner's own browser out.
   */
  async begin(nationalId: string, ip: string, options: { device?: string | undefined } = {}): Promise<GuessAttempt | GuessRefusal> {
    return options.device ? this.#beginKnown(nationalId, options.device) : this.#beginStranger(nationalId, ip);
  }

  /** The owner proved herself another way (a strong sign-in, a password reset): the strangers' run of failures ends. */
  async ownerSignedIn(nationalId: string): Promise<void> {
    await this.#run.reset(this.#numberKey(nationalId));
  }

  async #beginKnown(nationalId: string, device: string): Promise<GuessAttempt | GuessRefusal> {
    const key = this.#browserKey(nationalId, device);
    const take = await this.#browserFailures.take(key);
    if (!take.allowed) return { allowed: false, reason: 'locked', retryAfterSeconds: take.retryAfterSeconds };
    const wait = await this.#holdWait(this.#browserDelays, key, take.consumed - 1);
    if (wait) {
      await this.#browserFailures.giveBack(key);
      return { allowed: false, reason: 'delay', retryAfterSeconds: wait.retryAfterSeconds };
    }
    return {
      allowed: true,
      // A success ends the run of consecutive failures; the strangers' window lock stays theirs. Resets
      // are sent together (one round trip, issue 27): each is one key, and no order among them matters.
      succeeded: () => settleAll([this.#browserFailures.reset(key), this.#browserDelays.reset(key), this.#run.reset(this.#numberKey(nationalId))]),
      failed: async () => this.#failedTrack(this.#browserFailures, this.#browserDelays, key, take.consumed),
    };
  }

  async #beginStranger(nationalId: string, ip: string): Promise<GuessAttempt | GuessRefusal> {
    const [numberKey, ipKey, prefixKey] = [this.#numberKey(nationalId), this.#ipKey(ip), this.#prefixKey(nationalId)];
    // Fixed order: the run of consecutive failures, the number's window, the IP.
    const taken = await takeAll([
      [this.#run, numberKey],
      [this.#failures, numberKey],
      [this.#ips, ipKey],
    ]);
    if (!taken.allowed) {
      const reason = (['hard_locked', 'locked', 'ip_blocked'] as const)[taken.refusedBy]!;
      return { allowed: false, reason, retryAfterSeconds: taken.take.retryAfterSeconds };
    }
    const [, numberTake, ipTake] = taken.takes as [Take, Take, Take];
    const giveBack: Array<() => Promise<void>> = [
      () => this.#ips.giveBack(ipKey),
      () => this.#failures.giveBack(numberKey),
      () => this.#run.giveBack(numberKey),
    ];
    const refuse = async (refusal: GuessRefusal): Promise<GuessRefusal> => {
      for (const step of giveBack) await step();
      return refusal;
    };

    const wait = await this.#holdWait(this.#delays, numberKey, numberTake.consumed - 1);
    if (wait) {
      const prefixWait = (await this.#prefixDelays.peek(prefixKey))?.msBeforeNext ?? 0;
      return refuse(
        prefixWait > wait.msBeforeNext
          ? { allowed: false, reason: 'prefix_delay', retryAfterSeconds: seconds(prefixWait) }
          : { allowed: false, reason: 'delay', retryAfterSeconds: wait.retryAfterSeconds },
      );
    }
    if (numberTake.consumed - 1 >= this.#delayAfter) giveBack.unshift(() => this.#delays.giveBack(numberKey));

    // The block's count never refuses; past its limit an attempt must hold the block's wait.
    const block = await this.#prefixFailures.add(prefixKey);
    giveBack.unshift(() => this.#prefixFailures.giveBack(prefixKey));
    const blockSlowed = block.consumed >= this.#prefixLimit;
    if (blockSlowed) {
      const slot = await this.#prefixDelays.take(prefixKey, { durationSeconds: this.#prefixDelaySeconds });
      if (!slot.allowed) return refuse({ allowed: false, reason: 'prefix_delay', retryAfterSeconds: slot.retryAfterSeconds });
      giveBack.unshift(() => this.#prefixDelays.giveBack(prefixKey));
    }

    return {
      allowed: true,
      // A right password clears the number's history. The IP's and the block's failures stay (one
      // success from an IP that sprays guesses, or on a number of the sprayed block, must not buy a
      // fresh budget); only this attempt's own points go back. The fixed order is the taking's (a refused
      // later counter gives back the earlier ones); clearing after a success takes nothing, each reset or
      // give-back is one key on its own, so they are sent together: one round trip, not six (issue 27).
      succeeded: () =>
        settleAll([
          this.#run.reset(numberKey),
          this.#failures.reset(numberKey),
          this.#delays.reset(numberKey),
          this.#ips.giveBack(ipKey),
          this.#prefixFailures.giveBack(prefixKey),
          blockSlowed ? this.#prefixDelays.giveBack(prefixKey) : undefined,
        ]),
      failed: async () => {
        let verdict = await this.#failedTrack(this.#failures, this.#delays, numberKey, numberTake.consumed);
        if (blockSlowed) {
          // A fixed wait rather than a growing one: it bounds both the block's guess rate (about one per
          // wait) and what a deliberately triggered slow-down can cost the block's other holders.
          await this.#prefixDelays.block(prefixKey, this.#prefixDelaySeconds);
          verdict = longer(verdict, { allowed: false, reason: 'prefix_delay', retryAfterSeconds: this.#prefixDelaySeconds });
        }
        if (ipTake.consumed >= this.#ipLimit) {
          await this.#ips.block(ipKey, this.#ipBlockSeconds);
          verdict = longer(verdict, { allowed: false, reason: 'ip_blocked', retryAfterSeconds: this.#ipBlockSeconds });
        }
        return verdict;
      },
    };
  }

  /**
   * Past `delayAfter` failures an attempt holds the wait (its track's one-point counter) while it runs,
   * so attempts sent together wait for each other; a failure then restarts the wait from its own end.
   * Returns the refusal when the wait is held by another attempt or still running.
   */
  async #holdWait(delays: Counter, key: string, failuresBefore: number): Promise<Extract<Take, { allowed: false }> | undefined> {
    if (failuresBefore < this.#delayAfter) return undefined;
    const slot = await delays.take(key, { durationSeconds: this.#delaySeconds(failuresBefore) });
    return slot.allowed ? undefined : slot;
  }

  /** A wrong password on a track (the strangers' number, or one browser's): the lock or the next wait. */
  async #failedTrack(failures: Counter, delays: Counter, key: string, count: number): Promise<GuessVerdict> {
    if (count >= this.#lockAfter) {
      // Rewrites the counter as "blocked" with the lock's lifetime; when it expires, counting restarts.
      await failures.block(key, this.#lockSeconds);
      await delays.reset(key);
      return { allowed: false, reason: 'locked', retryAfterSeconds: this.#lockSeconds };
    }
    if (count >= this.#delayAfter) {
      const wait = this.#delaySeconds(count);
      await delays.block(key, wait);
      return { allowed: false, reason: 'delay', retryAfterSeconds: wait };
    }
    return ALLOWED;
  }

  /** 1 s after `delayAfter` failures, doubling with each further failure, capped. */
  #delaySeconds(failures: number): number {
    return Math.min(2 ** (failures - this.#delayAfter), this.#maxDelaySeconds);
  }

  #numberKey(nationalId: string): string {
    // As typed, but without the spacing people use to group digits: "100 000 001 46" is the same guess.
    return hmac(this.#hmacKey, `nid:${nationalId.replace(/\s+/g, '')}`);
  }

  #browserKey(nationalId: string, device: string): string {
    return hmac(this.#hmacKey, `browser:${nationalId.replace(/\s+/g, '')}:${device}`);
  }

  /** The block a number belongs to. The length is part of the key so a changed setting starts fresh counts. */
  #prefixKey(nationalId: string): string {
    const prefix = nationalId.replace(/\s+/g, '').slice(0, this.#prefixLength);
    return hmac(this.#hmacKey, `nid-prefix:${this.#prefixLength}:${prefix}`);
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

/** The verdict with the longer wait (a lock or block over a shorter delay). */
function longer(current: GuessVerdict, next: GuessRefusal): GuessVerdict {
  return current.allowed || current.retryAfterSeconds < next.retryAfterSeconds ? next : current;
}
