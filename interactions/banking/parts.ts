import type Router from '@koa/router';
import type { Context } from 'koa';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { StateStore } from '../../adapters/storage/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method } from '../../src/engine/types.js';
import type { Limiters } from '../../src/security/limiters.js';
import { randomToken } from '../../src/security/crypto.js';
import type { LoginPort } from '../../src/engine/login-port.js';
import type Provider from 'oidc-provider';
import type { BankEntry } from './banks.js';
import type { BankLinks } from './links.js';
import { bankingMethod } from './method.js';
import { BankReturns } from './returns.js';
import { bankingRouter } from './router.js';

export type { BankEntry, BankAssurance, BankLogo } from './banks.js';

export interface BankingPartsDeps {
  banks: readonly BankEntry[];
  /** Which bank subject signed in as which account (the storage port). */
  links: BankLinks;
  state: StateStore;
  limiters: Limiters;
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  subjectKey: Buffer;
  provider: () => Provider;
  /** Continues the banking method from a bank link (the engine runs it, the web layer renders). */
  login: LoginPort;
  clientIp: (ctx: Context) => string;
}

/** Online banking: the `banking` method (when a bank is enabled) and its routes. */
export function bankingParts(deps: BankingPartsDeps): { methods: Method[]; router: Router } {
  const returns = new BankReturns(deps.state);
  const routeKey = randomToken(24);
  // Each bank link and each callback costs a state-store record and upstream requests: per IP.
  // Generous: a bank login is not a guess, and many people share an address (CGNAT, offices); the
  // limit only keeps one client from flooding the state store and the banks.
  const limiter = deps.limiters.counter({ name: 'bank-rl', points: 120, durationSeconds: 60, blockSeconds: 60 });
  const anyEnabled = deps.banks.some((b) => b.enabled);
  return {
    methods: anyEnabled
      ? [
          bankingMethod({
            banks: deps.banks,
            returns,
            links: deps.links,
            accounts: deps.accounts,
            registry: deps.registry,
            audit: deps.audit,
            subjectKey: deps.subjectKey,
            routeKey,
          }),
        ]
      : [],
    router: bankingRouter({
      banks: deps.banks,
      returns,
      limiter,
      routeKey,
      provider: deps.provider,
      login: deps.login,
      audit: deps.audit,
      clientIp: deps.clientIp,
    }),
  };
}
