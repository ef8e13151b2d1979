import type { StateStore } from '../../adapters/storage/port.js';
import { sha256 } from '../../src/security/crypto.js';

// The bank's answer arrives at one fixed callback (/banking/callback), where the interaction cookie
// (scoped to /interaction/:uid) is not sent. So the callback only files the answer under the request's
// state, and sends the browser back to its interaction; the browser's own request there merges it into
// the flow (DESIGN.md: out-of-band results never write into the Flow). Stored under a hash of the state.

export const RETURN_TTL_SECONDS = 600;

export interface BankReturn {
  uid: string;
  bank: string;
  /** The institution the login is for (for the record of a refused answer). */
  clientId?: string;
  /** `refused`: the answer arrived in a browser that did not start this login (src/web/upstream-binding.ts). */
  status: 'pending' | 'returned' | 'refused';
  /** The callback's query string (code, state, iss; or error), once returned. */
  query?: string;
}

const key = (stateHash: string) => `bank:{${stateHash}}`;
export const stateHash = (state: string) => sha256(state);

export type Arrival =
  | { ok: true; uid: string }
  | { ok: false; reason: 'unknown' | 'replayed' }
  | { ok: false; reason: 'other_browser'; bank: string; clientId: string | undefined };

export class BankReturns {
  constructor(private readonly store: StateStore) {}

  async open(state: string, uid: string, bank: string, clientId?: string): Promise<string> {
    const hash = stateHash(state);
    const record: BankReturn = { uid, bank, status: 'pending', ...(clientId ? { clientId } : {}) };
    await this.store.set(key(hash), JSON.stringify(record), RETURN_TTL_SECONDS);
    return hash;
  }

  /**
   * Files the bank's answer. A second answer for the same state (a replayed callback) is refused. An
   * answer that arrived in a browser that did not start the login (`startedHere` false) is not filed:
   * the record is marked refused, so the interaction that asked gets an error instead of the answer,
   * and the same answer carried to the right browser afterwards is a replay.
   */
  async arrive(state: string, query: string, startedHere: boolean): Promise<Arrival> {
    const k = key(stateHash(state));
    const current = await this.store.get(k);
    if (!current) return { ok: false, reason: 'unknown' };
    const record = JSON.parse(current) as BankReturn;
    if (record.status !== 'pending') return { ok: false, reason: 'replayed' };
    const next: BankReturn = startedHere ? { ...record, status: 'returned', query } : { ...record, status: 'refused' };
    const ttl = (await this.store.ttl(k)) ?? RETURN_TTL_SECONDS;
    if (!(await this.store.compareAndSet(k, current, JSON.stringify(next), Math.max(ttl, 1)))) return { ok: false, reason: 'replayed' };
    return startedHere ? { ok: true, uid: record.uid } : { ok: false, reason: 'other_browser', bank: record.bank, clientId: record.clientId };
  }

  /** Takes the record out (single use, whatever its status). */
  async take(hash: string): Promise<BankReturn | undefined> {
    const value = await this.store.take(key(hash));
    return value ? (JSON.parse(value) as BankReturn) : undefined;
  }
}
