import type { Knex } from 'knex';
import {
  type CounterAttempt,
  FINISH_LEASE_SECONDS,
  type IdempotencyKeys,
  KEY_LIFETIME_SECONDS,
  type KeyEntry,
  type KeyOutcome,
} from '../../src/registrar/idempotency.js';
import type { CounterOperation } from '../../src/registrar/refusal.js';

// A key's row is written first in the request's own transaction (claim), so a duplicate's insert waits
// on it; the outcome is stored without secrets (src/registrar/idempotency.ts says why).

interface KeyRow {
  operation: CounterOperation;
  fingerprint: string;
  attempt_id: string;
  record_id: string | null;
  outcome: KeyOutcome | string | null;
  finished: boolean;
}

/** The registrars' idempotency keys in SQL (the port: src/registrar/idempotency.ts). */
export class SqlIdempotencyKeys implements IdempotencyKeys {
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
  async claim(trx: Knex, staffAccountId: string, attempt: CounterAttempt, operation: CounterOperation, fingerprint: string): Promise<boolean> {
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
  async complete(trx: Knex, staffAccountId: string, key: string, recordId: string, outcome: KeyOutcome): Promise<void> {
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
