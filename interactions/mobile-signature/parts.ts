import type { IpLocator } from '../../adapters/geoip/port.js';
import type { MobileOperator } from '../../adapters/mobile-operators/port.js';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { CertificateValidator, TrustProfile } from '../../adapters/pki/port.js';
import type { StateStore } from '../../adapters/storage/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method } from '../../src/engine/types.js';
import type { Limiters } from '../../src/security/limiters.js';
import { mobileSignatureMethod } from './method.js';
import { MobileSignatureTransactions } from './transactions.js';

export interface MobileSignaturePartsDeps {
  state: StateStore;
  limiters: Limiters;
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  validator: CertificateValidator;
  /** Enabled operators, in form order, each with its trust anchors and timeouts. */
  operators: { operator: MobileOperator; trust: TrustProfile; timeoutSeconds: number; requestTimeoutMs: number; displayLimit?: number | undefined }[];
  /** The place of the browser's address, named on the phone next to the code (adapters/geoip). */
  locator: IpLocator;
  /** HMAC key for rate-limit keys (numbers and IPs are personal data). */
  limiterKey: Buffer;
  /** Starts allowed per (identity number, GSM number) pair in ten minutes (default 5); an IP gets ten times as many. */
  startsPerTenMinutes?: number;
  /** Operator requests per GSM number per hour, strangers' browsers together (default 10). */
  requestsPerNumberHour?: number;
  /** Operator requests per hour in all, strangers' browsers together (default 20,000). */
  requestsPerHour?: number;
  onOutcome?: (operator: string, outcome: string) => void;
}

/** The mobile-signature method; no operator enabled means no method. */
export function mobileSignatureParts(deps: MobileSignaturePartsDeps): { methods: Method[] } {
  if (deps.operators.length === 0) return { methods: [] };
  const perPerson = deps.startsPerTenMinutes ?? 5;
  // Offices and mobile carriers put many people behind one address: the IP limit is only a backstop.
  const limiterFor = (name: string, points: number) => deps.limiters.counter({ name: `ms-start-${name}`, points, durationSeconds: 600 });
  const limiters = {
    person: limiterFor('person', perPerson),
    ip: limiterFor('ip', perPerson * 10),
    phone: deps.limiters.counter({ name: 'ms-budget-msisdn', points: deps.requestsPerNumberHour ?? 10, durationSeconds: 3600 }),
    all: deps.limiters.counter({ name: 'ms-budget-all', points: deps.requestsPerHour ?? 20_000, durationSeconds: 3600 }),
  };
  const timeouts = new Map(deps.operators.map((o) => [o.operator.id, o.timeoutSeconds]));
  const displayLimits = new Map(deps.operators.map((o) => [o.operator.id, o.displayLimit]));
  const method = mobileSignatureMethod({
    transactions: new MobileSignatureTransactions(deps.state),
    operators: new Map(deps.operators.map((o) => [o.operator.id, o.operator])),
    operatorList: deps.operators.map((o) => o.operator),
    trust: new Map(deps.operators.map((o) => [o.operator.id, o.trust])),
    validator: deps.validator,
    requestTimeoutSeconds: Math.ceil(Math.max(...deps.operators.map((o) => o.requestTimeoutMs)) / 1000),
    receiptText: (tx) => (tx.status === 'accepted' ? 'Kapı: giriş başarılı / signed in' : 'Kapı: giriş tamamlanamadı / sign-in failed'),
    timeoutSeconds: (operator) => timeouts.get(operator) ?? 120,
    displayLimit: (operator) => displayLimits.get(operator),
    locator: deps.locator,
    accounts: deps.accounts,
    registry: deps.registry,
    audit: deps.audit,
    limiters,
    limiterKey: deps.limiterKey,
    ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
  });
  return { methods: [method] };
}
