import type Router from '@koa/router';
import type { Context } from 'koa';
import type { IpLocator } from '../../adapters/geoip/port.js';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { CertificateValidator, TrustProfile } from '../../adapters/pki/port.js';
import type { StateStore } from '../../adapters/storage/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method } from '../../src/engine/types.js';
import type { Limiters } from '../../src/security/limiters.js';
import { smartCardMethod } from './method.js';
import { signerApiRouter } from './signer-api.js';
import { SmartCardTransactions, type SmartCardProfile } from './transactions.js';

export interface SmartCardPartsDeps {
  issuer: string;
  state: StateStore;
  limiters: Limiters;
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  validator: CertificateValidator;
  /** Trust per profile; a profile without anchors is not offered. */
  trust: Partial<Record<SmartCardProfile, TrustProfile>>;
  /** The place of the browser's address, shown by the signer (adapters/geoip). */
  locator: IpLocator;
  /** Key of the identity-number hashes in logs and failed sign-in records (the password method's too). */
  subjectKey: Buffer;
  clientIp: (ctx: Context) => string;
}

/** The e-signature and ID-card methods and the signer's API. */
export function smartCardParts(deps: SmartCardPartsDeps): { methods: Method[]; router: Router } {
  const transactions = new SmartCardTransactions(deps.state, deps.issuer);
  const profiles = (['e-signature', 'id-card'] as const).filter((p) => (deps.trust[p]?.anchors.length ?? 0) > 0);
  const limiter = deps.limiters.counter({ name: 'sc-api', points: 60, durationSeconds: 60, blockSeconds: 60 });
  return {
    methods: profiles.map((p) =>
      smartCardMethod(p, {
        transactions,
        accounts: deps.accounts,
        registry: deps.registry,
        audit: deps.audit,
        issuer: deps.issuer,
        locator: deps.locator,
        subjectKey: deps.subjectKey,
      }),
    ),
    router: signerApiRouter({
      transactions,
      validator: deps.validator,
      trust: deps.trust as Record<SmartCardProfile, TrustProfile>,
      limiter,
      clientIp: deps.clientIp,
      subjectKey: deps.subjectKey,
    }),
  };
}
