import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { randomOfficePassword } from '../accounts/password-hasher.js';
import { RegistrarRefusal, type CounterOperation } from './refusal.js';

// One counter request, one issuance and one fee (issue 19 point 5), following the IETF httpapi
// Idempotency-Key draft: a registrar's key names one request; the same key with the same request
// answers the first answer again; with another request it is refused (422); a duplicate sent while the
// first is running waits for it (the key's row is written first in the request's own transaction, so
// the duplicate's insert waits on it) and then answers the same. Keys are per registrar and kept 24 hours.
//
// Nothing secret is stored: a replay shows the record and receipt, not the one-time password. The one
// exception is in memory: an attempt (one API request, or one CLI command with its own retries) draws its
// password once, so the CLI retrying after a timeout can still show the password its first try committed.

export const KEY_LIFETIME_SECONDS = 24 * 3600;
/** How long a request that committed may take to end the person's sessions before a replay does it. */
const FINISH_LEASE_SECONDS = 30;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** One attempt at a counter request. */
export class CounterAttempt {
  readonly id = randomUUID();
  #password: string | undefined;

  constructor(readonly key: string) {
    if (!KEY_SHAPE.test(key)) throw new RegistrarRefusal('idempotency_key_invalid');
  }

  /** The one-time password this attempt hands out: drawn once, kept only in this process's memory. */
  get password(): string {
    this.#password ??= randomOfficePassword();
    return this.#password;
  }
}

/** What the first answer said, without secrets. */
export interface KeyOutcome {
  person: { nationalId: string; name: string };
  accountCreated?: boolean;
  passwordLoginReopened?: boolean;
  secondFactorsRemoved?: boolean;
  /** Why the person's sessions end after the commit (none when nothing ends). */
  endings: string | null;
}

export interface KeyEntry {
  operation: CounterOperation;
  fingerprint: string;
  attemptId: string;
  recordId: string;
  outcome: KeyOutcome;
  finished: boolean;
}

interface KeyRow {
  operation: CounterOperation;
  fingerprint: string;
  attempt_id: string;
  record_id: string | null;
  outcome: KeyOutcome | string | null;
  finished: boolean;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the operation and the request as validated: the same request gives the same print. */
export function requestFingerprint(operation: CounterOperation, request: unknown): string {
  return createHash('sha256').update(canonical({ operation, request })).digest('hex');
}

/** The keys of one registrar's request: claimed in its transaction, completed with its record. */
export class IdempotencyKeys {
  constructor(
    private readonly db: Knex,
    private readonly lifetimeSeconds = KEY_LIFETIME_SECONDS,
  ) {}

  /** The stored answer for this key, if it has not lapsed. */
  async find(staffAccountId: string, key: string): Promise<KeyEntry | undefined> {
    const row = (await this.db('registrar_idempotency_keys')
      .where({ staff_account_id: staffAccountId, idempotency_key: key })
      .andWhereRaw(`created_at >= now() - (?::int * interval '1 second')`, [this.lifetimeSeconds])
      .whereNotNull('record_id')
      .first()) as KeyRow | undefined;
    if (!row || !row.record_id || !row.outcome) return undefined;
    return {
      operation: row.operation,
      fingerprint: row.fingerprint,
      attemptId: row.attempt_id,
      recordId: row.record_id,
      outcome: typeof row.outcome === 'string' ? (JSON.parse(row.outcome) as KeyOutcome) : row.outcome,
      finished: row.finished,
    };
  }

  /**
   * Takes the key for this request, as the first statement of its transaction. False when another
   * request holds it: the insert waits until that one's transaction ends, so the caller can then read
   * its answer. A lapsed key is taken over.
   */
  async claim(trx: Knex.Transaction, staffAccountId: string, attempt: CounterAttempt, operation: CounterOperation, fingerprint: string): Promise<boolean> {
    const result = (await trx.raw(
      `insert into registrar_idempotency_keys (staff_account_id, idempotency_key, operation, fingerprint, attempt_id)
       values (?, ?, ?, ?, ?)
       on conflict (staff_account_id, idempotency_key) do update
         set operation = excluded.operation, fingerprint = excluded.fingerprint, attempt_id = excluded.attempt_id,
             record_id = null, outcome = null, finished = false, finish_lease_until = null, created_at = now()
         where registrar_idempotency_keys.created_at < now() - (?::int * interval '1 second')
       returning attempt_id`,
      [staffAccountId, attempt.key, operation, fingerprint, attempt.id, this.lifetimeSeconds],
    )) as { rows: unknown[] };
    return result.rows.length === 1;
  }

  /** Names the record the request made and what its answer said, in the same transaction. */
  async complete(trx: Knex.Transaction, staffAccountId: string, key: string, recordId: string, outcome: KeyOutcome): Promise<void> {
    await trx('registrar_idempotency_keys')
      .where({ staff_account_id: staffAccountId, idempotency_key: key })
      .update({
        record_id: recordId,
        outcome: JSON.stringify(outcome),
        finished: outcome.endings === null,
        finish_lease_until: outcome.endings === null ? null : trx.raw(`now() + (?::int * interval '1 second')`, [FINISH_LEASE_SECONDS]),
      });
  }

  /**
   * Whether this attempt may run the steps after the commit of a request that has not finished them:
   * its own earlier try (over, since it is retrying), or anyone once the lease of the one running them
   * has lapsed (that request died).
   */
  async takeFinish(staffAccountId: string, key: string, attemptId: string): Promise<boolean> {
    const taken = await this.db('registrar_idempotency_keys')
      .where({ staff_account_id: staffAccountId, idempotency_key: key, finished: false })
      .andWhere((q) => q.where({ attempt_id: attemptId }).orWhereNull('finish_lease_until').orWhereRaw('finish_lease_until < now()'))
      .update({ finish_lease_until: this.db.raw(`now() + (?::int * interval '1 second')`, [FINISH_LEASE_SECONDS]) }, ['record_id']);
    return taken.length === 1;
  }

  async finish(staffAccountId: string, key: string): Promise<void> {
    await this.db('registrar_idempotency_keys')
      .where({ staff_account_id: staffAccountId, idempotency_key: key })
      .update({ finished: true, finish_lease_until: null });
  }

  /** The steps after the commit failed: let the next try run them at once rather than after the lease. */
  async releaseFinish(staffAccountId: string, key: string): Promise<void> {
    await this.db('registrar_idempotency_keys')
      .where({ staff_account_id: staffAccountId, idempotency_key: key, finished: false })
      .update({ finish_lease_until: null });
  }

  /** Keys past their lifetime (kept no longer than they serve). */
  async purgeLapsed(): Promise<number> {
    return this.db('registrar_idempotency_keys').whereRaw(`created_at < now() - (?::int * interval '1 second')`, [this.lifetimeSeconds]).del();
  }
}
