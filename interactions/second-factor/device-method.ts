import QRCode from 'qrcode';
import type { PushSender } from '../../adapters/push/port.js';
import type { IpLocator } from '../../adapters/geoip/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { ApprovalLimits } from './devices/approval-limits.js';
import { qrPayload, type Approvals } from './devices/approvals.js';
import type { EnrolmentOf } from './devices/enrolment.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import { translate, type MessageKey } from '../../src/i18n/index.js';
import { log } from '../../src/log.js';
import './messages.js';

const WAITING_VIEW = '/interactions/second-factor/views/device-waiting';
const RESULT_VIEW = '/interactions/second-factor/views/device-result';
const POLL_SECONDS = 2;

export interface DeviceMethodDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  /** The person's enrolment, one read shared by the second methods (devices/enrolment.ts). */
  enrolment?: EnrolmentOf;
  approvals: Approvals;
  /** Approvals per sign-in and per account, and the lock after a refusal (issue 25: no farming). */
  limits: ApprovalLimits;
  push: PushSender;
  audit: AuditTrail;
  locator: IpLocator;
}

/**
 * The registered device: the login opens an approval that reaches the phone three ways (a push
 * notification, the app's "Mobile Approval" list, the QR code on this page). The device answers with
 * a JWS (interactions/second-factor/device-api); this method only reads the approval record on the browser's own
 * request. Number matching: the page shows the number the person must type on the phone. amr mca, swk.
 */
export function deviceMethod(deps: DeviceMethodDeps): Method {
  const result = (code: MessageKey, status = 400): Step => ({ kind: 'prompt', view: RESULT_VIEW, status, error: { code } });

  const reset = (ctx: MethodContext) => {
    delete ctx.state.approvalId;
    delete ctx.state.qrSecret;
  };

  async function open(ctx: MethodContext): Promise<Step> {
    const accountId = ctx.flow.accountId!;
    const account = await deps.accounts.findById(accountId);
    // The owner's own browser (device cookie) has its own allowance and lock.
    const browser = account ? ctx.deviceFor(account.nationalId) : undefined;
    // The points are taken before anything is pushed: requests sent at once cannot open more. The
    // flow's CSRF token is unique to this interaction, so it names the sign-in.
    const verdict = await deps.limits.open(accountId, ctx.flow.csrf, browser);
    if (!verdict.allowed) {
      reset(ctx);
      await deps.audit.signIn({
        accountId,
        clientId: ctx.client.clientId,
        method: 'device',
        result: verdict.reason === 'locked' ? 'second_factor_locked' : 'rate_limited',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
      return {
        kind: 'prompt',
        view: RESULT_VIEW,
        status: 429,
        error: { code: verdict.reason === 'locked' ? 'second_factor.device_locked' : 'second_factor.device_too_many', params: { minutes } },
      };
    }
    const { approval, qrSecret } = await deps.approvals.open({
      accountId,
      clientName: ctx.client.name,
      ip: ctx.ip,
      place: deps.locator.locate(ctx.ip),
      userAgent: ctx.userAgent,
      browser,
    });
    ctx.state.approvalId = approval.id;
    ctx.state.qrSecret = qrSecret;
    for (const target of await deps.devices.pushTargets(accountId)) {
      // A push that does not arrive is not fatal: the app's list and the QR code still work.
      await deps.push
        .send({
          token: target.token,
          title: translate(ctx.flow.locale, 'second_factor.push.title'),
          body: translate(ctx.flow.locale, 'second_factor.push.body', { client: ctx.client.name }),
          data: { type: 'approval', approvalId: approval.id },
        })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'push notification failed'));
    }
    return progress(ctx);
  }

  async function progress(ctx: MethodContext): Promise<Step> {
    const id = String(ctx.state.approvalId ?? '');
    const found = id ? await deps.approvals.find(id) : undefined;
    const now = Math.floor(Date.now() / 1000);
    if (!found || found.approval.accountId !== ctx.flow.accountId) {
      reset(ctx);
      return result('second_factor.device_expired', 410);
    }
    const { approval } = found;
    if (approval.status === 'pending') {
      if (now > approval.exp) {
        await deps.approvals.close(id);
        reset(ctx);
        return result('second_factor.device_expired', 410);
      }
      const payload = qrPayload(approval.id, String(ctx.state.qrSecret));
      const qr = await QRCode.toDataURL(payload, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
      return { kind: 'wait', view: WAITING_VIEW, pollSeconds: POLL_SECONDS, data: { number: approval.number, qr, qrText: payload, expiresAt: approval.exp } };
    }
    await deps.approvals.close(id); // single use, whatever the outcome
    reset(ctx);
    if (approval.status === 'approved') {
      // Deleting a device stops its approvals at once: an answer of a device deleted since is void.
      const device = approval.deviceId ? await deps.devices.find(approval.deviceId) : undefined;
      if (!device || device.accountId !== approval.accountId) return result('second_factor.device_gone');
      await deps.devices.touch(device.id);
      return { kind: 'done', accountId: approval.accountId, amr: ['mca', 'swk'] };
    }
    await deps.audit.signIn({
      accountId: approval.accountId,
      clientId: ctx.client.clientId,
      method: 'device',
      result: approval.reason ?? approval.status,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return result(approval.reason === 'wrong_number' ? 'second_factor.device_wrong_number' : 'second_factor.device_denied');
  }

  return {
    id: 'device',
    factor: 'second',
    acr: 'substantial',
    amr: ['mca', 'swk'],
    labelKey: 'method.device',
    usableBy: async (account) => (deps.enrolment ? (await deps.enrolment(account)).device : deps.devices.hasAny(account.id)),
    async start(ctx) {
      return ctx.state.approvalId ? progress(ctx) : open(ctx);
    },
    async continue(ctx, input) {
      if (input.action === 'cancel' && ctx.state.approvalId) {
        await deps.approvals.close(String(ctx.state.approvalId));
        reset(ctx);
        return result('second_factor.device_cancelled', 200);
      }
      if (input.action === 'retry' || !ctx.state.approvalId) return open(ctx);
      return progress(ctx);
    },
    async poll(ctx) {
      const id = String(ctx.state.approvalId ?? '');
      const found = id ? await deps.approvals.find(id) : undefined;
      if (!found) return 'ready';
      return found.approval.status === 'pending' && Math.floor(Date.now() / 1000) <= found.approval.exp ? 'pending' : 'ready';
    },
  };
}
