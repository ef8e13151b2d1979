import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { EnrolmentOf } from './devices/enrolment.js';
import type { TotpStore } from './devices/totp.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import type { MessageKey } from '../../src/i18n/index.js';
import type { StepLimits } from './limits.js';
import './messages.js';

const VIEW = '/interactions/second-factor/views/code';

/**
 * The e-Government Key (TOTP): the current code of the person's authenticator app, after the password.
 * The code alone signs nobody in (it is a second factor only); each code is accepted once. amr otp.
 */
export function totpMethod(deps: { totp: TotpStore; enrolment?: EnrolmentOf; limits: StepLimits; audit: AuditTrail; accounts: AccountStore }): Method {
  const prompt = (extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step => ({
    kind: 'prompt',
    view: VIEW,
    ...extra,
    data: { kind: 'totp', titleKey: 'second_factor.totp.title' satisfies MessageKey, leadKey: 'second_factor.totp.lead' satisfies MessageKey, ...extra.data },
  });
  /** This browser's own device id for the account's person (device cookie), or undefined. */
  const deviceOf = async (ctx: MethodContext, accountId: string): Promise<string | undefined> => {
    const account = await deps.accounts.findById(accountId);
    return account ? ctx.deviceFor(account.nationalId) : undefined;
  };
  const locked = (seconds: number): Step =>
    prompt({ status: 429, error: { code: 'second_factor.locked', params: { minutes: Math.ceil(seconds / 60) } }, data: { locked: true } });

  return {
    id: 'totp',
    factor: 'second',
    acr: 'substantial',
    amr: ['otp'],
    labelKey: 'method.totp',
    usableBy: async (account) => (deps.enrolment ? (await deps.enrolment(account)).totp : deps.totp.isActive(account.id)),
    async start(ctx) {
      const accountId = ctx.flow.accountId!;
      const limit = await deps.limits.canGuess('totp', accountId, await deviceOf(ctx, accountId));
      return limit.allowed ? prompt() : locked(limit.retryAfterSeconds);
    },
    async continue(ctx: MethodContext, input) {
      const accountId = ctx.flow.accountId!;
      const device = await deviceOf(ctx, accountId);
      const limit = await deps.limits.canGuess('totp', accountId, device);
      if (!limit.allowed) return locked(limit.retryAfterSeconds);
      const code = (input.code ?? '').replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) return prompt({ status: 400, error: { code: 'second_factor.code_format', field: 'code' } });
      // The guess's point is taken before the code is checked: parallel guesses cannot outrun the limit.
      const guess = await deps.limits.guess('totp', accountId, device);
      if (!guess.allowed) return locked(guess.retryAfterSeconds);
      const result = await deps.totp.check(accountId, code);
      if (result === 'ok') {
        await guess.right();
        return { kind: 'done', accountId, amr: ['otp'] };
      }
      const next = await guess.wrong();
      if (!next.allowed) {
        await deps.audit.signIn({
          accountId,
          clientId: ctx.client.clientId,
          method: 'totp',
          result: 'second_factor_locked',
          ip: ctx.ip,
          userAgent: ctx.userAgent,
        });
        return locked(next.retryAfterSeconds);
      }
      await deps.audit.signIn({ accountId, clientId: ctx.client.clientId, method: 'totp', result: 'invalid_code', ip: ctx.ip, userAgent: ctx.userAgent });
      return prompt({ status: 400, error: { code: result === 'reused' ? 'second_factor.code_reused' : 'second_factor.code_wrong', field: 'code' } });
    },
  };
}
