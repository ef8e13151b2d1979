import { randomBytes } from 'node:crypto';
import type { StateStore } from '../storage/port.js';
import type { OperatorHealth, OperatorHealthState, OperatorObserver } from './port.js';

// A circuit breaker per operator, kept in the state store (Redis when configured), so every Kapı process
// sees the same operator health (DESIGN.md, third round "Operator health"). After a few transport
// failures in a row the operator is `down`: new requests fail at once instead of each waiting for a
// timeout (a failing operator must not slow the page down, nor hold sockets), and the form says so
// before anyone tries. After the cool-down, the first page that finds a probe due makes one cheap
// request, under a lock (a compare-and-set on the record): nothing polls in the background.
//
// It must reflect the operator, not one citizen (issue 19): a garbled answer can belong to one
// transaction (one phone, one SIM), and the waiting page polls that transaction every two seconds, so
// garbled answers count once per scope (the phone they concern) in a row of failures, whichever process
// saw them; network-level failures and 5xx pages, which no citizen can cause, count every time.

export interface HealthOptions {
  failuresToTrip?: number;
  coolDownMs?: number;
  /** How long a claimed probe may take before another page may claim it again (the lock's lifetime). */
  probeTimeoutMs?: number;
  now?: () => number;
}

/** The record every process reads and changes (by compare-and-set) under `mo-health:{<operator>}`. */
interface HealthRecord {
  state: OperatorHealthState;
  /** The current row of consecutive failures; a success starts a new one (and forgets its scopes). */
  row: string;
  failures: number;
  lastError?: string;
  /** While down: when a probe may be made (epoch ms). */
  retryAt?: number;
  /** A probe claimed by some page is under way until then (epoch ms): the lock. */
  probeUntil?: number;
}

const RECORD_TTL_SECONDS = 7 * 86400;
/** A scope counted in a row is remembered this long (a row that lasts longer may count a phone twice). */
const SCOPE_TTL_SECONDS = 6 * 3600;
const MAX_ERROR_LENGTH = 300;
const CAS_ATTEMPTS = 20;

const newRow = () => randomBytes(8).toString('hex');
const fresh = (): HealthRecord => ({ state: 'unknown', row: newRow(), failures: 0 });

export class HealthTracker {
  readonly #key: string;
  readonly #trip: number;
  readonly #coolDown: number;
  readonly #probeTimeout: number;
  readonly #now: () => number;
  /** The state this process last saw, to tell the observer (metrics) about changes made anywhere. */
  #seen: OperatorHealthState = 'unknown';

  constructor(
    private readonly operator: string,
    private readonly store: StateStore,
    private readonly observer: OperatorObserver,
    options: HealthOptions = {},
  ) {
    this.#key = `mo-health:{${operator}}`;
    this.#trip = options.failuresToTrip ?? 3;
    this.#coolDown = options.coolDownMs ?? 30_000;
    this.#probeTimeout = options.probeTimeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    observer.health(operator, 'unknown');
  }

  async #read(): Promise<{ raw: string | null; record: HealthRecord }> {
    const raw = await this.store.get(this.#key);
    let record: HealthRecord | undefined;
    if (raw) {
      try {
        record = JSON.parse(raw) as HealthRecord;
      } catch {
        record = undefined; // written by nobody we know: start afresh
      }
    }
    record ??= fresh();
    this.#observe(record.state);
    return { raw, record };
  }

  async #write(raw: string | null, next: HealthRecord): Promise<boolean> {
    const written = await this.store.compareAndSet(this.#key, raw, JSON.stringify(next), RECORD_TTL_SECONDS);
    if (written) this.#observe(next.state);
    return written;
  }

  #observe(state: OperatorHealthState): void {
    if (state === this.#seen) return;
    this.#seen = state;
    this.observer.health(this.operator, state);
  }

  /** Changes the record by compare-and-set, reading again when another process changed it first. */
  async #change(change: (record: HealthRecord) => HealthRecord | undefined): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { raw, record } = await this.#read();
      const next = change(record);
      if (!next || (await this.#write(raw, next))) return;
    }
    throw new Error(`operator health of ${this.operator}: too many concurrent changes`);
  }

  /** False while the breaker is open: do not call the operator now (a due probe goes through `claimProbe`). */
  async allowRequest(): Promise<boolean> {
    return (await this.#read()).record.state !== 'down';
  }

  /** An answer that shows the operator works: the row of failures ends, a down operator is up again. */
  async success(): Promise<void> {
    await this.#change((record) => (record.state === 'up' && record.failures === 0 ? undefined : { state: 'up', row: newRow(), failures: 0 }));
  }

  /**
   * A failure. `scope` names what a garbled answer concerns (a keyed hash of the phone number): a
   * second failure of the same scope in the same row is not counted, in this process or another.
   * Without a scope (a network-level failure, a 5xx page) every failure counts.
   */
  async failure(error: string, scope?: string): Promise<void> {
    let checkedRow: string | undefined;
    // The scope's marker is set once per row: of two processes seeing the same phone's garbled answer,
    // one counts it.
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { raw, record } = await this.#read();
      if (scope !== undefined && checkedRow !== record.row) {
        if (!(await this.store.setIfAbsent(`${this.#key}:seen:${record.row}:${scope}`, '1', SCOPE_TTL_SECONDS))) return;
        checkedRow = record.row;
      }
      const now = this.#now();
      const next: HealthRecord = { state: record.state, row: record.row, failures: record.failures + 1, lastError: error.slice(0, MAX_ERROR_LENGTH) };
      if (next.failures >= this.#trip || record.state === 'down') {
        next.state = 'down';
        next.retryAt = now + this.#coolDown; // a failed probe (or a late failure) starts the cool-down again
      }
      if (await this.#write(raw, next)) return;
    }
    throw new Error(`operator health of ${this.operator}: too many concurrent changes`);
  }

  /**
   * True when the operator is down, its cool-down has passed and nobody is probing it: the caller has
   * just taken the probe (compare-and-set on the record, so of any number of pages in any number of
   * processes exactly one gets it) and must report its outcome with `success` or `failure`.
   */
  async claimProbe(): Promise<boolean> {
    const { raw, record } = await this.#read();
    const now = this.#now();
    if (record.state !== 'down' || (record.retryAt ?? 0) > now || (record.probeUntil ?? 0) > now) return false;
    return this.#write(raw, { ...record, probeUntil: now + this.#probeTimeout });
  }

  async snapshot(): Promise<OperatorHealth> {
    const { record } = await this.#read();
    const health: OperatorHealth = { state: record.state, consecutiveFailures: record.failures };
    if (record.lastError) health.lastError = record.lastError;
    if (record.state === 'down' && record.retryAt) health.retryAt = record.retryAt;
    return health;
  }
}
