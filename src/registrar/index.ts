import { SqlIdempotencyKeys } from '../../adapters/sql/registrar-idempotency-keys.js';
import { SqlRegistrarRepository } from '../../adapters/sql/registrar-repository.js';
import type { Services } from '../services.js';
import { KEY_LIFETIME_SECONDS } from './idempotency.js';
import { RegistrarLimiter, type RegistrarLimitOptions } from './rate-limit.js';
import { RegistrarService } from './service.js';
import './messages.js';
import './messages-clerk.js';

export { RegistrarService } from './service.js';
export { CounterAttempt } from './idempotency.js';
export { RegistrarRefusal, isRefusal } from './refusal.js';

export interface RegistrarOptions {
  limits?: RegistrarLimitOptions;
  /** How long an Idempotency-Key answers with its first answer (default 24 h). */
  idempotencyKeySeconds?: number;
  now?: () => Date;
}

/** The registrar service over the process's storage: the server and `kapi registrar` build it alike. */
export function createRegistrar(services: Services, options: RegistrarOptions = {}): RegistrarService {
  return new RegistrarService({
    repository: new SqlRegistrarRepository(services.db),
    accounts: services.accounts,
    hasher: services.hasher,
    registry: services.registry,
    audit: services.audit,
    limiter: new RegistrarLimiter(services.limiters, options.limits),
    sessions: services.sessions,
    keys: new SqlIdempotencyKeys(services.db, options.idempotencyKeySeconds ?? KEY_LIFETIME_SECONDS),
    factorRemovers: services.factorRemovers,
    ...(options.now ? { now: options.now } : {}),
  });
}
