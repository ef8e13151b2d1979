import { verifyCmsSignature } from '../../adapters/pki/cms.js';
import type { CertificateValidator, TrustProfile } from '../../adapters/pki/port.js';
import { OperatorUnavailable, type MobileOperator } from '../../adapters/mobile-operators/port.js';
import { log } from '../../src/log.js';
import type { Found, MobileSignatureFailure, MobileSignatureTransaction, MobileSignatureTransactions } from './transactions.js';

// Moves one pending transaction on, driven by the waiting browser (DESIGN.md "Flow state and
// out-of-band results"): each call makes at most one status query to the operator, under a lock, and
// never before the transaction's next query time. The operator's answer is written to the transaction
// record by compare-and-set; only the browser's own request then turns it into a completed method.

export const QUERY_INTERVAL_MS = 2000;

export interface AdvanceDeps {
  transactions: MobileSignatureTransactions;
  operators: ReadonlyMap<string, MobileOperator>;
  trust: ReadonlyMap<string, TrustProfile>;
  validator: CertificateValidator;
  /** Longest a status query may take (the lock's lifetime). */
  requestTimeoutSeconds: number;
  receiptText: (tx: MobileSignatureTransaction) => string;
}

export async function advance(deps: AdvanceDeps, id: string, now = Date.now()): Promise<Found | undefined> {
  const found = await deps.transactions.find(id);
  if (!found || found.tx.status !== 'pending') return found;
  if (now > found.tx.exp * 1000) {
    // Past the overall deadline: the operator's own timeout has passed too.
    const reason = found.tx.lastError ? 'operator_unavailable' : 'timed_out';
    return (await deps.transactions.update(found, { ...found.tx, status: 'failed', reason })) ?? deps.transactions.find(id);
  }
  if (now < found.tx.nextQueryAt) return found;
  const owner = await deps.transactions.lock(id, deps.requestTimeoutSeconds * 3 + 5);
  if (!owner) return found; // another poll (tab, process) is asking right now
  try {
    const current = await deps.transactions.find(id); // as it is now that the lock is ours
    if (!current || current.tx.status !== 'pending' || Date.now() < current.tx.nextQueryAt) return current;
    return (await query(deps, current)) ?? deps.transactions.find(id);
  } finally {
    await deps.transactions.unlock(id, owner);
  }
}

async function query(deps: AdvanceDeps, found: Found): Promise<Found | undefined> {
  const { tx } = found;
  const operator = deps.operators.get(tx.operator);
  const next = { ...tx, queries: tx.queries + 1, nextQueryAt: Date.now() + QUERY_INTERVAL_MS };
  if (!operator) return deps.transactions.update(found, { ...next, status: 'failed', reason: 'operator_unavailable' });
  let result;
  try {
    result = await operator.queryStatus(tx.msspTransId, tx.subscriber);
  } catch (err) {
    if (!(err instanceof OperatorUnavailable)) throw err;
    // Transient until the deadline: the next poll asks again (the client already retried where safe).
    log.warn({ operator: tx.operator, err: err.message }, 'mobile-signature status query failed');
    return deps.transactions.update(found, { ...next, lastError: err.message });
  }
  if (result.state === 'pending') return deps.transactions.update(found, next);
  if (result.state === 'failed') {
    if (result.failure === 'operator_rejected' || result.failure === 'operator_error')
      log.error({ operator: tx.operator, statusCode: result.statusCode }, 'operator refused a status query');
    return deps.transactions.update(found, { ...next, status: 'failed', reason: result.failure });
  }
  const verdict = await verify(deps, tx, result.signature).catch((err: unknown) => {
    log.error({ err }, 'mobile-signature verification failed');
    return { error: 'revocation_unknown' } as const;
  });
  const outcome: MobileSignatureTransaction =
    'error' in verdict ? { ...next, status: 'failed', reason: verdict.error } : { ...next, status: 'accepted', certificate: verdict.certificate };
  const written = await deps.transactions.update(found, outcome);
  // The receipt tells the operator (and the phone) the outcome; it never changes Kapı's decision.
  if (written) {
    void operator
      .sendReceipt(tx.msspTransId, tx.subscriber, deps.receiptText(outcome))
      .catch((err: unknown) => log.warn({ operator: tx.operator, err: (err as Error).message }, 'MSS_Receipt failed'));
  }
  return written;
}

/**
 * Kapı's own checks, whatever the operator said (502 VALID_SIGNATURE included): the CMS signature is
 * over exactly the data sent, the certificate chains to this operator's anchors, is valid, qualified,
 * not revoked (adapters/pki, shared with the smart-card methods), and names the number typed.
 */
async function verify(
  deps: AdvanceDeps,
  tx: MobileSignatureTransaction,
  signature: Uint8Array,
): Promise<{ error: MobileSignatureFailure } | { certificate: NonNullable<MobileSignatureTransaction['certificate']> }> {
  const cms = await verifyCmsSignature(signature, Buffer.from(tx.dataToBeSigned, 'utf8'));
  if (!cms.ok) {
    log.warn({ operator: tx.operator, reason: cms.reason, detail: cms.detail }, 'mobile signature refused');
    return { error: cms.reason === 'malformed' ? 'malformed' : 'bad_signature' };
  }
  const trust = deps.trust.get(tx.operator);
  if (!trust) return { error: 'untrusted' };
  const verdict = await deps.validator.validate(cms.signerCertificate, cms.certificates, trust);
  if (!verdict.ok) {
    log.warn({ operator: tx.operator, reason: verdict.reason, detail: verdict.detail }, 'mobile-signature certificate refused');
    return { error: verdict.reason };
  }
  if (verdict.nationalId !== tx.nationalId) return { error: 'number_mismatch' };
  return { certificate: { fingerprint: verdict.fingerprint, issuer: verdict.issuer, serialNumber: verdict.serialNumber } };
}
