import { isKapiError, KapiError } from '../errors.js';

/** Retry-After (seconds) on every 503 Kapı gives while storage or an upstream is unreachable. */
export const OUTAGE_RETRY_AFTER_SECONDS = '5';

// A request that fails because Redis or Postgres cannot be reached is an outage, not a bug: the person
// gets "temporarily unavailable" (503) instead of "internal error" (500), wherever the failure surfaced
// (Kapı's own code wraps it already; oidc-provider's adapters and knex pass the driver's error through).

// 25006 (read_only_sql_transaction): a write reached a Postgres that is, or has just become, a standby
// (a failover behind the endpoint, issue 22): nothing was written, the person may try again.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '25006',
]);
const CONNECTION_NAMES = new Set(['MaxRetriesPerRequestError', 'KnexTimeoutError', 'ClusterAllFailedError']);
// Redis during a failover (issue 22): a command that timed out, no sentinel answering, a cluster
// without a master for a slot, or a write that reached a primary just demoted to a replica.
const FAILOVER_MESSAGES =
  /^(Command timed out|All sentinels are unreachable|Cluster isn't ready|Failed to refresh slots cache|READONLY |LOADING |CLUSTERDOWN |TRYAGAIN |MASTERDOWN )/;

export function asOutage(err: unknown): KapiError | undefined {
  if (isKapiError(err)) return err.code === 'storage_unavailable' ? err : undefined;
  // Duck-typed, not instanceof: socket errors are created by Node's own realm.
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, code, message } = err as { name?: unknown; code?: unknown; message?: unknown };
  const outage =
    (typeof name === 'string' && CONNECTION_NAMES.has(name)) ||
    (typeof code === 'string' && CONNECTION_CODES.has(code)) ||
    (typeof message === 'string' &&
      (/Connection terminated|Connection is closed|connect ECONNREFUSED|Client has encountered a connection error/i.test(message) ||
        FAILOVER_MESSAGES.test(message)));
  return outage ? new KapiError('storage_unavailable', 'storage unreachable', {}, { cause: err }) : undefined;
}
