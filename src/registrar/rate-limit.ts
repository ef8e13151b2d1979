import type { Counter, Limiters } from '../security/limiters.js';
import { RegistrarRefusal } from './refusal.js';

// Every registrar request reads the population registry for a number staff typed. The limits keep a
// counter (or a stolen registrar token) from walking the registry: per staff member, and per office.

export interface RegistrarLimitOptions {
  /** Registry lookups one staff member may make per window. Default 60. */
  perStaff?: number;
  /** Registry lookups one office may make per window. Default 600. */
  perOffice?: number;
  /** Window in seconds. Default 15 min. */
  windowSeconds?: number;
}

export class RegistrarLimiter {
  readonly #staff: Counter;
  readonly #office: Counter;

  constructor(limiters: Limiters, options: RegistrarLimitOptions = {}) {
    const durationSeconds = options.windowSeconds ?? 15 * 60;
    this.#staff = limiters.counter({ name: 'registrar:staff', points: options.perStaff ?? 60, durationSeconds });
    this.#office = limiters.counter({ name: 'registrar:office', points: options.perOffice ?? 600, durationSeconds });
  }

  /** Counts one lookup; refuses with the wait when the staff member or the office is over its limit. */
  async consume(staffAccountId: string, officeCode: string): Promise<void> {
    // A limiter that cannot reach its store fails closed (the counters throw storage_unavailable).
    // The clerk's counter first, the office's only if hers allows: a clerk over her own limit (or a stolen
    // session of hers) must not spend her colleagues' shared budget. If the office refuses, her point is
    // given back (DESIGN.md: counters in a fixed order, earlier points given back when a later one refuses).
    const staff = await this.#staff.take(staffAccountId);
    if (!staff.allowed) throw new RegistrarRefusal('too_many_requests', { retryAfter: staff.retryAfterSeconds });
    const office = await this.#office.take(officeCode);
    if (!office.allowed) {
      await this.#staff.giveBack(staffAccountId);
      throw new RegistrarRefusal('too_many_requests', { retryAfter: office.retryAfterSeconds });
    }
  }
}
