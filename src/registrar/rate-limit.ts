import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KapiError } from '../errors.js';
import { RegistrarRefusal } from './refusal.js';

// Every registrar request reads the population registry for a number staff typed. The limits keep a
// counter (or a stolen registrar token) from walking the registry: per staff member, and per office.

export interface RegistrarLimitOptions {
  redis?: Redis | undefined;
  keyPrefix?: string;
  /** Registry lookups one staff member may make per window. Default 60. */
  perStaff?: number;
  /** Registry lookups one office may make per window. Default 600. */
  perOffice?: number;
  /** Window in seconds. Default 15 min. */
  windowSeconds?: number;
}

export class RegistrarLimiter {
  readonly #staff: RateLimiterAbstract;
  readonly #office: RateLimiterAbstract;

  constructor(options: RegistrarLimitOptions = {}) {
    const prefix = options.keyPrefix ?? 'kapi:registrar';
    const duration = options.windowSeconds ?? 15 * 60;
    const make = (name: string, points: number): RateLimiterAbstract =>
      options.redis
        ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `${prefix}:${name}`, points, duration })
        : new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });
    this.#staff = make('staff', options.perStaff ?? 60);
    this.#office = make('office', options.perOffice ?? 600);
  }

  /** Counts one lookup; refuses with the wait when the staff member or the office is over its limit. */
  async consume(staffAccountId: string, officeCode: string): Promise<void> {
    try {
      await Promise.all([this.#staff.consume(staffAccountId), this.#office.consume(officeCode)]);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new RegistrarRefusal('too_many_requests', { retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) });
      }
      // A limiter that cannot reach its store fails closed.
      throw new KapiError('storage_unavailable', 'registrar rate limiter unavailable', {}, { cause: err });
    }
  }
}
