import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../adapters/storage/port.js';
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
export const FINISH_LEASE_SECONDS = 30;
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

/**
 * The keys of registrars' requests (a port: its SQL is adapters/sql/registrar-idempotency-keys.ts), claimed
 * in the request's transaction and completed with its record.
 */
export interface IdempotencyKeys {
  /** The stored answer for this key, if it has not lapsed. */
  find(staffAccountId: string, key: string): Promise<KeyEntry | undefined>;
  /**
   * Takes the key for this request, as the first statement of its transaction. False when another
   * request holds it: the claim waits until that one's transaction ends, so the caller can then read
   * its answer. A lapsed key is taken over.
   */
  claim(trx: Database, staffAccountId: string, attempt: CounterAttempt, operation: CounterOperation, fingerprint: string): Promise<boolean>;
  /** Names the record the request made and what its answer said, in the same transaction. */
  complete(trx: Database, staffAccountId: string, key: string, recordId: string, outcome: KeyOutcome): Promise<void>;
  /**
   * Whether this attempt may run the steps after the commit of a request that has not finished them:
   * its own earlier try (over, since it is retrying), or anyone once the lease of the one running them
   * (FINISH_LEASE_SECONDS) has lapsed (that request died).
   */
  takeFinish(staffAccountId: string, key: string, attemptId: string): Promise<boolean>;
  finish(staffAccountId: string, key: string): Promise<void>;
  /** The steps after the commit failed: let the next try run them at once rather than after the lease. */
  releaseFinish(staffAccountId: string, key: string): Promise<void>;
  /** Keys past their lifetime (kept no longer than they serve). */
  purgeLapsed(): Promise<number>;
}
