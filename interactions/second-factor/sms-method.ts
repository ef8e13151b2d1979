import { randomInt } from 'node:crypto';
import type { SmsSender } from '../../adapters/sms/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { EnrolmentOf } from './devices/enrolment.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import { secondFactorPhone } from '../../src/accounts/second-factor-phone.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import type { MessageKey } from '../../src/i18n/index.js';
import { constantTimeEqual, hmac } from '../../src/security/crypto.js';
import { translate } from '../../src/i18n/index.js';
import type { StepLimits } from './limits.js';
import './messages.js';

const VIEW = '/interactions/second-factor/views/code';
const CODE_SECONDS = 180;
const SENDS_PER_FLOW = 3;

export interface SmsMethodDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  /** The person's enrolment, one read shared by the second methods (devices/enrolment.ts). */
  enrolment?: EnrolmentOf;
  sms: SmsSender;
  limits: StepLimits;
  audit: AuditTrail;
  /** Key of the code's HMAC: codes live only as a keyed hash in the flow. */
  codeKey: Buffer;
}

export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)} *** ** ${phone.slice(-2)}`;
}

/** SMS code to the verified phone: the second stage of a person without a registered device. amr sms, otp. */
export function smsMethod(deps: SmsMethodDeps): Method {
  const prompt = (ctx: MethodContext, extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step => ({
    kind: 'prompt',
    view: VIEW,
    ...extra,
    data: {
      kind: 'sms',
      titleKey: 'second_factor.sms.title' satisfies MessageKey,
      leadKey: 'second_factor.sms.lead' satisfies MessageKey,
      phone: ctx.state.phone,
      canResend: Number(ctx.state.sends ?? 0) < SENDS_PER_FLOW,
      ...extra.data,
    },
  });

  /** This browser's own device id for the account's person (device cookie), or undefined. */
  const deviceOf = async (ctx: MethodContext, accountId: string): Promise<string | undefined> => {
    const account = await deps.accounts.findById(accountId);
    return account ? ctx.deviceFor(account.nationalId) : undefined;
  };

  async function send(ctx: MethodContext, accountId: string, device: string | undefined): Promise<Step> {
    const account = await deps.accounts.findById(accountId);
    const phone = account && secondFactorPhone(account);
    if (!phone) return prompt(ctx, { status: 400, error: { code: 'second_factor.no_phone' }, data: { locked: true } });
    if (Number(ctx.state.sends ?? 0) >= SENDS_PER_FLOW) return prompt(ctx, { status: 429, error: { code: 'second_factor.too_many_sends' } });
    const allowed = await deps.limits.trySend(accountId, device);
    if (!allowed.allowed) return prompt(ctx, { status: 429, error: { code: 'second_factor.too_many_sends' }, data: { canResend: false } });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await deps.sms.send({ to: phone, purpose: 'second_factor', text: translate(ctx.flow.locale, 'second_factor.sms.text', { code, client: ctx.client.name }) });
    ctx.state.codeHash = hmac(deps.codeKey, `${accountId}:${code}`);
    ctx.state.exp = Math.floor(Date.now() / 1000) + CODE_SECONDS;
    ctx.state.sends = Number(ctx.state.sends ?? 0) + 1;
    ctx.state.phone = maskPhone(phone);
    return prompt(ctx, { data: { sent: true } });
  }

  return {
    id: 'sms',
    factor: 'second',
    acr: 'substantial',
    amr: ['sms', 'otp'],
    labelKey: 'method.sms',
    async usableBy(account) {
      // With a registered device, the device is the second factor (FAQ "two-factor authentication").
      return Boolean(secondFactorPhone(account)) && !(deps.enrolment ? (await deps.enrolment(account)).device : await deps.devices.hasAny(account.id));
    },
    async start(ctx) {
      const accountId = ctx.flow.accountId!;
      const device = await deviceOf(ctx, accountId);
      const limit = await deps.limits.canGuess('sms', accountId, device);
      if (!limit.allowed)
        return prompt(ctx, {
          status: 429,
          error: { code: 'second_factor.locked', params: { minutes: Math.ceil(limit.retryAfterSeconds / 60) } },
          data: { locked: true },
        });
      if (ctx.state.codeHash && Number(ctx.state.exp) >= Date.now() / 1000) return prompt(ctx);
      return send(ctx, accountId, device);
    },
    async continue(ctx, input) {
      const accountId = ctx.flow.accountId!;
      const device = await deviceOf(ctx, accountId);
      const limit = await deps.limits.canGuess('sms', accountId, device);
      if (!limit.allowed)
        return prompt(ctx, {
          status: 429,
          error: { code: 'second_factor.locked', params: { minutes: Math.ceil(limit.retryAfterSeconds / 60) } },
          data: { locked: true },
        });
      if (input.action === 'resend') return send(ctx, accountId, device);
      const code = (input.code ?? '').replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) return prompt(ctx, { status: 400, error: { code: 'second_factor.code_format', field: 'code' } });
      if (!ctx.state.codeHash || Number(ctx.state.exp) < Date.now() / 1000) {
        delete ctx.state.codeHash;
        return prompt(ctx, { status: 410, error: { code: 'second_factor.code_expired', field: 'code' } });
      }
      // The guess's point is taken before the code is compared: parallel guesses cannot outrun the limit.
      const guess = await deps.limits.guess('sms', accountId, device);
      if (!guess.allowed)
        return prompt(ctx, {
          status: 429,
          error: { code: 'second_factor.locked', params: { minutes: Math.ceil(guess.retryAfterSeconds / 60) } },
          data: { locked: true },
        });
      if (!constantTimeEqual(hmac(deps.codeKey, `${accountId}:${code}`), String(ctx.state.codeHash))) {
        const next = await guess.wrong();
        if (!next.allowed) {
          delete ctx.state.codeHash; // the code dies with the lock
          await deps.audit.signIn({
            accountId,
            clientId: ctx.client.clientId,
            method: 'sms',
            result: 'second_factor_locked',
            ip: ctx.ip,
            userAgent: ctx.userAgent,
          });
          return prompt(ctx, {
            status: 429,
            error: { code: 'second_factor.locked', params: { minutes: Math.ceil(next.retryAfterSeconds / 60) } },
            data: { locked: true },
          });
        }
        await deps.audit.signIn({ accountId, clientId: ctx.client.clientId, method: 'sms', result: 'invalid_code', ip: ctx.ip, userAgent: ctx.userAgent });
        return prompt(ctx, { status: 400, error: { code: 'second_factor.code_wrong', field: 'code' } });
      }
      delete ctx.state.codeHash; // single use
      await guess.right();
      return { kind: 'done', accountId, amr: ['sms', 'otp'] };
    },
  };
}
