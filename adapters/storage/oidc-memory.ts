import type { EndedSessionMarks, OidcAdapter, OidcPayload } from './port.js';
import { alreadyUsed, type AdapterOptions, epochNow, expiryMs, fromStored, lookupKey, openLookupBox, recordKey, toStored } from './oidc-common.js';

// oidc-provider models in process memory: the short-lived models when no Redis is configured (one
// process only). Same layout as the Redis adapter: records under sha256(id), hashed lookup keys,
// a set of record references per grant.

interface MemoryRecord {
  body: string;
  consumed: number | undefined;
  grantId: string | undefined;
  grantKey: string | undefined;
  lookups: string[];
  expiresAt: number; // epoch ms, Infinity for none
  finished: boolean; // an interaction with oidc-provider's result (isFinishedInteraction)
}

interface LookupEntry {
  ref: string;
  box: string;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/** One store shared by the adapters of every model (revokeByGrantId spans models). */
export class MemoryOidcStore {
  readonly records = new Map<string, MemoryRecord>();
  readonly lookups = new Map<string, LookupEntry>();
  readonly grants = new Map<string, Set<string>>();
  /** sha256(session uid) → epoch ms until which a session with that uid is never stored again. */
  readonly endedSessions = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = SWEEP_INTERVAL_MS) {
    this.#sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  record(ref: string): MemoryRecord | undefined {
    const record = this.records.get(ref);
    if (record && record.expiresAt <= Date.now()) {
      this.remove(ref);
      return undefined;
    }
    return record;
  }

  lookup(name: string): LookupEntry | undefined {
    const entry = this.lookups.get(name);
    if (entry && entry.expiresAt <= Date.now()) {
      this.lookups.delete(name);
      return undefined;
    }
    return entry;
  }

  remove(ref: string): void {
    const record = this.records.get(ref);
    if (!record) return;
    this.records.delete(ref);
    for (const name of record.lookups) {
      if (this.lookups.get(name)?.ref === ref) this.lookups.delete(name);
    }
    if (record.grantKey) {
      const members = this.grants.get(record.grantKey);
      members?.delete(ref);
      if (members?.size === 0) this.grants.delete(record.grantKey);
    }
  }

  sessionEnded(uidKey: string): boolean {
    const until = this.endedSessions.get(uidKey);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.endedSessions.delete(uidKey);
    return false;
  }

  sweep(now = Date.now()): void {
    for (const [ref, record] of this.records) if (record.expiresAt <= now) this.remove(ref);
    for (const [name, entry] of this.lookups) if (entry.expiresAt <= now) this.lookups.delete(name);
    for (const [key, until] of this.endedSessions) if (until <= now) this.endedSessions.delete(key);
  }

  /** Everything held, as text: lets tests check that no raw id is kept. */
  dump(): string {
    return JSON.stringify({
      records: [...this.records],
      lookups: [...this.lookups],
      grants: [...this.grants].map(([key, members]) => [key, [...members]]),
      endedSessions: [...this.endedSessions],
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.records.clear();
    this.lookups.clear();
    this.grants.clear();
    this.endedSessions.clear();
  }
}

export class MemoryOidcAdapter implements OidcAdapter, EndedSessionMarks {
  readonly #model: string;
  readonly #store: MemoryOidcStore;
  readonly #options: AdapterOptions;

  constructor(model: string, store: MemoryOidcStore, options: AdapterOptions = {}) {
    this.#model = model;
    this.#store = store;
    this.#options = options;
  }

  #ref(key: string): string {
    return `${this.#model}:${key}`;
  }

  #lookupName(kind: string, key: string): string {
    return `${this.#model}:${kind}:${key}`;
  }

  async upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    const stored = toStored(this.#model, id, payload);
    const ref = this.#ref(stored.key);
    const expiresAt = Date.now() + (expiryMs(expiresIn) ?? Number.POSITIVE_INFINITY);
    // A finished interaction is not replaced by an unfinished copy (oidc-common.ts isFinishedInteraction).
    if (!stored.finished && this.#store.record(ref)?.finished) return;
    this.#store.remove(ref);
    // A session that was ended is not written back by a request that loaded it before the ending.
    // No await between this check and the write: the mark and the write cannot interleave.
    if (stored.uid && this.#store.sessionEnded(stored.uid.key)) return;

    const lookups: string[] = [];
    for (const [kind, entry] of [
      ['uid', stored.uid],
      ['userCode', stored.userCode],
    ] as const) {
      if (!entry) continue;
      const name = this.#lookupName(kind, entry.key);
      this.#store.lookups.set(name, { ref, box: entry.box, expiresAt });
      lookups.push(name);
    }
    if (stored.grantKey) {
      const members = this.#store.grants.get(stored.grantKey) ?? new Set<string>();
      members.add(ref);
      this.#store.grants.set(stored.grantKey, members);
    }
    this.#store.records.set(ref, {
      body: stored.body,
      consumed: stored.consumed,
      grantId: stored.grantId,
      grantKey: stored.grantKey,
      lookups,
      expiresAt,
      finished: stored.finished,
    });
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    const record = this.#store.record(this.#ref(recordKey(id)));
    return record ? fromStored(id, record.body, record.consumed) : undefined;
  }

  async findByUid(uid: string): Promise<OidcPayload | undefined> {
    return this.#findBy('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
    return this.#findBy('userCode', userCode);
  }

  async #findBy(kind: 'uid' | 'userCode', value: string): Promise<OidcPayload | undefined> {
    const entry = this.#store.lookup(this.#lookupName(kind, lookupKey(value)));
    const id = entry && openLookupBox(entry.box, value, kind);
    if (!id) return undefined;
    const payload = await this.find(id);
    return payload?.[kind] === value ? payload : undefined;
  }

  async consume(id: string): Promise<void> {
    // No await between the check and the mark: two concurrent consumes cannot both pass.
    const record = this.#store.record(this.#ref(recordKey(id)));
    if (record && record.consumed === undefined) {
      record.consumed = epochNow();
      return;
    }
    if (record?.grantId) await (this.#options.onReplay ?? ((g) => this.revokeByGrantId(g)))(record.grantId);
    throw alreadyUsed();
  }

  async destroy(id: string): Promise<void> {
    this.#store.remove(this.#ref(recordKey(id)));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const members = this.#store.grants.get(lookupKey(grantId));
    for (const ref of [...(members ?? [])]) this.#store.remove(ref);
  }

  async markSessionEnded(uid: string, ttlSeconds: number): Promise<void> {
    const key = lookupKey(uid);
    this.#store.endedSessions.set(key, Math.max(this.#store.endedSessions.get(key) ?? 0, Date.now() + ttlSeconds * 1000));
  }
}
