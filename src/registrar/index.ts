import type { Services } from '../services.js';
import { RegistrarLimiter, type RegistrarLimitOptions } from './rate-limit.js';
import { RegistrarRepository } from './repository.js';
import { RegistrarService } from './service.js';
import './messages.js';

export { RegistrarService } from './service.js';
export { RegistrarRefusal, isRefusal } from './refusal.js';

export interface RegistrarOptions {
  limits?: RegistrarLimitOptions;
  now?: () => Date;
}

/** The registrar service over the process's storage: the server and `kapi registrar` build it alike. */
export function createRegistrar(services: Services, options: RegistrarOptions = {}): RegistrarService {
  return new RegistrarService({
    db: services.db,
    repository: new RegistrarRepository(services.db),
    accounts: services.accounts,
    hasher: services.hasher,
    registry: services.registry,
    audit: services.audit,
    limiter: new RegistrarLimiter(services.limiters, options.limits),
    sessions: services.sessions,
    ...(options.now ? { now: options.now } : {}),
  });
}
