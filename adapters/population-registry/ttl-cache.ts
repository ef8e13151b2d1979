// A small in-process LRU with a time to live, for registry answers. Our own rather than a package: it is
// thirty lines over a Map (whose insertion order is the recency order), and Kapı adds a dependency only
// for what it cannot write and check itself (adapters/pki/revocation-cache.ts is built the same way).
// Bounded by entry count, so a stranger walking numbers cannot grow it; expired entries go on read and
// are pushed out by new ones.

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class TtlLruCache<V> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value stored under `key` within its time to live, or undefined. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.#entries.set(key, entry); // most recently used goes last
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    if (this.maxEntries <= 0 || this.ttlMs <= 0) return;
    this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
