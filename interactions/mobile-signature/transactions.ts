import { randomUUID } from 'node:crypto';
import type { MssFailure } from '../../adapters/mobile-operators/status-codes.js';
import type { CertificateRefusal } from '../../adapters/pki/port.js';
import type { StateStore } from '../../adapters/storage/port.js';

// Pending mobile-signature transactions: one record each in the state store (Redis when configured,
// so any Kapı process can poll and finish a transaction another started), changed only by
// compare-and-set. A short lock makes sure that, however many tabs or processes poll, one status query
// at a time goes to the operator.

/** Why a mobile-signature sign-in failed: the operator's answer, Kapı's own checks, the registry. */
export type MobileSignatureFailure =
  | MssFailure
  | CertificateRefusal
  | 'timed_out'
  | 'operator_unavailable'
  | 'bad_signature'
  | 'number_mismatch'
  | 'not_in_registry';

export interface MobileSignatureTransaction {
  id: string;
  operator: string;
  /** Canonical 10-digit subscriber number (needed again for the receipt). */
  subscriber: string;
  nationalId: string;
  clientId: string;
  dataToBeSigned: string;
  dataToBeDisplayed: string;
  code: string;
  msspTransId: string;
  /** Epoch seconds: opened, and the overall deadline (the operator's TimeOut plus a margin). */
  iat: number;
  exp: number;
  /** Epoch ms before which no status query is sent. */
  nextQueryAt: number;
  queries: number;
  /** Last transport problem while polling (for the final message when the deadline passes). */
  lastError?: string;
  status: 'pending' | 'accepted' | 'failed';
  reason?: MobileSignatureFailure;
  certificate?: { fingerprint: string; issuer: string; serialNumber: string };
}

export interface Found {
  tx: MobileSignatureTransaction;
  raw: string;
}

export class MobileSignatureTransactions {
  constructor(private readonly state: StateStore) {}

  static newId(): string {
    return `mst_${randomUUID()}`;
  }

  private key(id: string): string {
    return `ms:{${id}}`;
  }

  private lockKey(id: string): string {
    return `ms:{${id}}:lock`;
  }

  async create(tx: MobileSignatureTransaction): Promise<void> {
    if (!(await this.state.setIfAbsent(this.key(tx.id), JSON.stringify(tx), this.ttl(tx)))) throw new Error('transaction id collision');
  }

  async find(id: string): Promise<Found | undefined> {
    if (!/^mst_[0-9a-f-]{36}$/.test(id)) return undefined;
    const raw = await this.state.get(this.key(id));
    return raw ? { tx: JSON.parse(raw) as MobileSignatureTransaction, raw } : undefined;
  }

  /** Moves a transaction on, only if nobody changed (or cancelled) it since it was read. */
  async update(current: Found, next: MobileSignatureTransaction): Promise<Found | undefined> {
    const raw = JSON.stringify(next);
    return (await this.state.compareAndSet(this.key(current.tx.id), current.raw, raw, this.ttl(next))) ? { tx: next, raw } : undefined;
  }

  /** One status query at a time per transaction, across processes; the lock expires by itself. */
  async lock(id: string, seconds: number): Promise<string | undefined> {
    const owner = randomUUID();
    return (await this.state.setIfAbsent(this.lockKey(id), owner, seconds)) ? owner : undefined;
  }

  async unlock(id: string, owner: string): Promise<void> {
    // Only the owner releases: a lock that expired and was taken by another poll stays theirs.
    if ((await this.state.get(this.lockKey(id))) === owner) await this.state.del(this.lockKey(id));
  }

  async close(id: string): Promise<void> {
    if (id) await this.state.del(this.key(id));
  }

  private ttl(tx: MobileSignatureTransaction): number {
    return Math.max(60, tx.exp - Math.floor(Date.now() / 1000) + 120);
  }
}
