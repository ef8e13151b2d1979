import { EventEmitter } from 'node:events';
import type { StateStore } from './port.js';

// Short-lived state in process memory: the embedded default when no REDIS_URL is set (one instance
// only). Every entry carries its deadline; reads ignore entries past it (so expiry is exact) and a
// periodic sweep frees them (so memory does not grow with keys nobody reads again).
interface Entry {
  value: string;
  expiresAt: number; // epoch ms
}

const SWEEP_INTERVAL_MS = 30_000;

export function ttlToMs(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #events = new EventEmitter();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = SWEEP_INTERVAL_MS) {
    this.#events.setMaxListeners(0); // many pages may wait on many channels
    // unref: the sweep alone must never keep the process (or a test run) alive.
    this.#sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  /** Drops every expired entry; returns how many were dropped. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #put(key: string, value: string, ttlSeconds: number): void {
    this.#entries.set(key, { value, expiresAt: Date.now() + ttlToMs(ttlSeconds) });
  }

  // Each method below runs without an await between its read and its write, which is what makes
  // setIfAbsent, compareAndSet, take and incr atomic in a single-threaded process.

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#put(key, value, ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#put(key, value, ttlSeconds);
    return true;
  }

  async compareAndSet(key: string, expected: string | null, next: string, ttlSeconds: number): Promise<boolean> {
    const current = this.#live(key)?.value ?? null;
    if (current !== expected) return false;
    this.#put(key, next, ttlSeconds);
    return true;
  }

  async take(key: string): Promise<string | null> {
    const entry = this.#live(key);
    if (!entry) return null;
    this.#entries.delete(key);
    return entry.value;
  }

  async del(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    const entry = this.#live(key);
    if (!entry) {
      this.#put(key, '1', ttlSeconds);
      return 1;
    }
    const current = Number(entry.value);
    // Same refusal as Redis INCR on a value that is not an integer.
    if (!Number.isSafeInteger(current)) throw new Error(`value at ${key} is not an integer`);
    entry.value = String(current + 1);
    return current + 1;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.#live(key);
    return entry ? Math.ceil((entry.expiresAt - Date.now()) / 1000) : null;
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered on a later turn, as Redis would: a subscriber never runs inside the publisher's call.
    setImmediate(() => this.#events.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const listener = (message: string): void => onMessage(message);
    this.#events.on(channel, listener);
    return async () => {
      this.#events.off(channel, listener);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#events.removeAllListeners();
    this.#entries.clear();
  }
}
