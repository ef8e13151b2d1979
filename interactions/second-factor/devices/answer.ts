import { constantTimeEqual } from '../../../src/security/crypto.js';
import type { Approvals } from './approvals.js';
import type { RegisteredDevice } from './device-registry.js';
import type { ApprovalAnswer } from './proofs.js';

// Applying a device's verified answer to an approval: the approval must be this account's, still
// pending and unexpired, the nonce must match, and an approval must carry the number the browser
// shows. A wrong number closes the approval (refused): a reflex "approve" on an attacker's push must
// not get a second try. Compare-and-set makes the answer single use.

export type AnswerOutcome =
  | 'approved'
  | 'denied'
  | 'not_found'
  | 'expired'
  | 'already_answered'
  | 'wrong_number'
  | 'not_yours'
  | 'nonce_mismatch'
  | 'not_scanned';

export async function applyAnswer(
  approvals: Approvals,
  device: RegisteredDevice,
  answer: ApprovalAnswer,
  now = Math.floor(Date.now() / 1000),
): Promise<AnswerOutcome> {
  const found = await approvals.find(answer.aid);
  if (!found) return 'not_found';
  const { approval } = found;
  if (approval.accountId !== device.accountId) return 'not_yours';
  if (approval.status !== 'pending') return 'already_answered';
  if (now > approval.exp) return 'expired';
  if (!constantTimeEqual(answer.nonce, approval.nonce)) return 'nonce_mismatch';
  if (answer.decision === 'deny') {
    return (await approvals.update(found, { ...approval, status: 'denied', deviceId: device.id })) ? 'denied' : 'already_answered';
  }
  // A QR scan proved the person looks at this login's page: the number is then not asked again.
  if (approval.via !== 'qr' && !constantTimeEqual(answer.number ?? '', approval.number)) {
    await approvals.update(found, { ...approval, status: 'refused', reason: 'wrong_number', deviceId: device.id });
    return 'wrong_number';
  }
  const ok = await approvals.update(found, { ...approval, status: 'approved', deviceId: device.id, via: approval.via ?? 'list' });
  return ok ? 'approved' : 'already_answered';
}
