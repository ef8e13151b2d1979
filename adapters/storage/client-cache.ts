import type { OidcPayload } from './port.js';

/** The pub/sub channel on which any process announces a changed institution (message: its client_id). */
export const CLIENTS_CHANNEL = 'clients';

/**
 * Institutions' metadata, read and unsealed once and kept for a short while. Every token request
 * looks its client up; without this each one costs a SELECT and an AES-GCM open, which the
 * benchmark measured as the largest cost of a client_credentials grant. A change made by any process
 * (`kapi clients update`, the service) is announced on CLIENTS_CHANNEL and drops the entry at once
 * everywhere; the time-to-live only bounds how long a lost announcement could leave a stale entry.
 */
export class ClientCache {
  readonly #entries = new Map<string, { payload: OidcPayload | undefined; until: number }>();
  #generation = 0;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(clientId: string, now = Date.now()): { payload: OidcPayload | undefined } | undefined {
    const hit = this.#entries.get(clientId);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.#entries.delete(clientId);
      return undefined;
    }
    // The stored copy is frozen, so oidc-provider cannot change what the next request reads, and it is
    // handed out as is: a copy per token request was 4% of a client_credentials grant's CPU.
    return { payload: hit.payload };
  }

  /** The generation before a read; `set` ignores a read that an invalidation overtook. */
  generation(): number {
    return this.#generation;
  }

  set(clientId: string, payload: OidcPayload | undefined, readAtGeneration: number, now = Date.now()): void {
    if (readAtGeneration !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(clientId, { payload: payload && deepFreeze(structuredClone(payload)), until: now + this.ttlMs });
  }

  invalidate(clientId?: string): void {
    this.#generation += 1;
    if (clientId === undefined) this.#entries.clear();
    else this.#entries.delete(clientId);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
