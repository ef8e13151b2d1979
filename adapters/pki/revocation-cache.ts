import type { StateStore } from '../storage/port.js';

// Where OCSP responses and CRLs are kept between logins. The cache holds the raw DER as fetched, never a
// verdict: every use verifies the signature and freshness again, so a poisoned or stale entry can only
// cause a new fetch, never an acceptance.

export interface RevocationCache {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, der: Uint8Array, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

interface Entry {
  der: Uint8Array;
  expiresAt: number;
}

/** In-process LRU: enough for one instance; bounded by entry count and total bytes (CRLs can be large). */
export class MemoryRevocationCache implements RevocationCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: { maxEntries?: number; maxBytes?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 5000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#remove(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry); // most recently used goes last
    this.#bytes += entry.der.length;
    return entry.der;
  }

  async set(key: string, der: Uint8Array, ttlSeconds: number): Promise<void> {
    this.#remove(key);
    if (ttlSeconds <= 0 || der.length > this.#maxBytes) return;
    this.#entries.set(key, { der, expiresAt: this.#now() + ttlSeconds * 1000 });
    this.#bytes += der.length;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.#remove(key);
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.der.length;
  }
}

/** Shares responses between Kapı processes through the StateStore (Redis), base64 under a key prefix. */
export class StateStoreRevocationCache implements RevocationCache {
  constructor(
    private readonly store: StateStore,
    private readonly prefix = 'pki:revocation:',
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await this.store.get(this.prefix + key);
    return value === null ? undefined : new Uint8Array(Buffer.from(value, 'base64'));
  }

  async set(key: string, der: Uint8Array, ttlSeconds: number): Promise<void> {
    const ttl = Math.floor(ttlSeconds);
    if (ttl <= 0) return;
    await this.store.set(this.prefix + key, Buffer.from(der).toString('base64'), ttl);
  }

  async delete(key: string): Promise<void> {
    await this.store.del(this.prefix + key);
  }
}
