// The port every rate limit, guess limit and budget in Kapı is built on (issue 21 item 4: one limiter
// factory instead of eight copies of "Redis limiter, else memory limiter"). A counter counts points per
// key within a window; the store (Redis for every process at once, or this process's memory) lives
// behind the port (adapters/storage/limiters.ts), so methods never import ioredis or
// rate-limiter-flexible themselves.
//
// Every point is taken atomically per counter (one single-key script on Redis, one synchronous step in
// memory): a guess takes its point BEFORE the expensive check, so N parallel requests never get more
// checks than the counter has points (DESIGN.md, third round, "Atomic means per counter"). Counters of
// one request are taken in a fixed order with `takeAll`, which gives the earlier points back when a
// later counter refuses: they may live in different Redis Cluster slots, so no multi-key script.

export interface CounterOptions {
  /** Names the counter's keys (after the deployment's prefix). Two counters with one name share counts. */
  name: string;
  /** Points allowed per key in the window. */
  points: number;
  /** The window, in whole seconds, from the key's first point. */
  durationSeconds: number;
  /** Once a take is refused, the key stays refused this long (whole seconds). Default: until the window ends. */
  blockSeconds?: number;
}

export type Take =
  | { allowed: true /** points on the key after this take */; consumed: number; remaining: number; msBeforeNext: number }
  | { allowed: false; consumed: number; retryAfterSeconds: number; msBeforeNext: number };

export interface CounterState {
  consumed: number;
  /** Milliseconds before the key expires (negative: no expiry). */
  msBeforeNext: number;
}

export interface Counter {
  readonly name: string;
  readonly points: number;
  /** Takes points (default 1) if the key has them left; a refused take reports the wait. */
  take(key: string, options?: { points?: number; durationSeconds?: number }): Promise<Take>;
  /** Gives points taken earlier back (a later counter refused, or the attempt succeeded). */
  giveBack(key: string, points?: number): Promise<void>;
  /** Counts points without ever refusing; returns the key's points after it. */
  add(key: string, points?: number): Promise<CounterState>;
  /** The key's state without changing it, or null when it holds nothing. */
  peek(key: string): Promise<CounterState | null>;
  /** Refuses every take on the key for `seconds` (a lock). */
  block(key: string, seconds: number): Promise<void>;
  /** Forgets the key (a success clears a history). */
  reset(key: string): Promise<void>;
}

/** The factory: one per process, built on the process's state store (src/services.ts). */
export interface Limiters {
  readonly kind: 'redis' | 'memory';
  counter(options: CounterOptions): Counter;
}

/** Rate-limiter answers are in milliseconds; people and Retry-After headers want whole seconds, at least 1. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export type TakeAll = { allowed: true; takes: Take[] } | { allowed: false; refusedBy: number; take: Extract<Take, { allowed: false }> };

/**
 * Takes one point from each (counter, key) in the order given; when one refuses, the points already
 * taken from the earlier ones are given back and the refusal is reported with its index. Callers keep
 * one fixed order per kind of request, so two requests never wait on each other's counters.
 */
export async function takeAll(steps: ReadonlyArray<readonly [Counter, string]>): Promise<TakeAll> {
  const takes: Take[] = [];
  for (const [index, [counter, key]] of steps.entries()) {
    const take = await counter.take(key);
    if (!take.allowed) {
      await giveBackAll(steps.slice(0, index));
      return { allowed: false, refusedBy: index, take };
    }
    takes.push(take);
  }
  return { allowed: true, takes };
}

/** Gives one point back to each (counter, key), latest first. */
export async function giveBackAll(steps: ReadonlyArray<readonly [Counter, string]>): Promise<void> {
  for (const [counter, key] of [...steps].reverse()) await counter.giveBack(key);
}
