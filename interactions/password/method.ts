import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { PasswordHasher } from '../../src/accounts/password-hasher.js';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/accounts/password-rules.js';
import { VIOLATION_MESSAGE } from '../../src/accounts/password-messages.js';
import { passwordReuse } from '../../src/accounts/password-reuse.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import { hmac } from '../../src/security/crypto.js';
import type { GuessLimiter } from '../../src/security/guess-limiter.js';
import './messages.js';

const VIEW = '/interactions/password/views/password';
const CHANGE_VIEW = '/interactions/password/views/change';

export interface PasswordMethodDeps {
  accounts: AccountStore;
  hasher: PasswordHasher;
  limiter: GuessLimiter;
  audit: AuditTrail;
  /** Key for hashing typed identity numbers in records of failed attempts (no raw numbers stored). */
  subjectKey: Buffer;
  /** Does the chooser offer other methods (to show the link back to it)? */
  otherMethods?: () => boolean;
}

/**
 * First factor: national identity number + password (acr `low`, amr `pwd`).
 * A password issued at an office is one-time: after it is verified the person must set a new one
 * before the flow may continue.
 */
export function passwordMethod(deps: PasswordMethodDeps): Method {
  const prompt = (extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step => ({
    kind: 'prompt',
    view: VIEW,
    ...extra,
    data: { otherMethods: deps.otherMethods?.() ?? false, ...extra.data },
  });

  async function verifyCredentials(ctx: MethodContext, input: Record<string, string>): Promise<Step> {
    const typed = (input.national_id ?? '').replace(/\s+/g, '');
    const password = input.password ?? '';
    const id = validateNationalId(typed);
    if (!id.ok) return prompt({ status: 400, error: { code: 'invalid_identity_number', field: 'national_id' }, data: { nationalId: typed.slice(0, 11) } });
    if (!password) return prompt({ status: 400, error: { code: 'invalid_credentials', field: 'password' }, data: { nationalId: id.number } });

    // The attempt's points are taken before argon2 runs: parallel guesses cannot outrun the limit. A
    // browser that signed in as this person before has its own allowance (device cookie).
    const attempt = await deps.limiter.begin(id.number, ctx.ip, { device: ctx.deviceFor(id.number) });
    if (!attempt.allowed) {
      await deps.audit.signIn({
        subjectHash: hmac(deps.subjectKey, id.number),
        clientId: ctx.client.clientId,
        method: 'password',
        result: 'rate_limited',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      const error =
        attempt.reason === 'hard_locked'
          ? { code: 'password.suspended' as const }
          : { code: 'too_many_attempts' as const, params: { seconds: attempt.retryAfterSeconds } };
      return prompt({ status: 429, error, data: { nationalId: id.number } });
    }

    const found = await deps.accounts.findWithPasswordByNationalId(id.number);
    const account = found?.account;
    const credential = found?.credential;
    // Unknown numbers and accounts without a password spend the same argon2 time as a wrong password.
    const valid = credential ? await deps.hasher.verify(credential.hash, password) : (await deps.hasher.dummyVerify(), false);
    // While the owner has closed password sign-in, a right password must not look different from a wrong
    // one (issue 19 point 10): the same answer, and the attempt counts as a failure either way, so neither
    // the page nor the limiter's counters tell a guesser that the guess was right. The answer itself
    // (the wrong-credentials message) says that password sign-in may be closed, for the owner's sake.
    const closed = account !== undefined && !account.passwordLoginEnabled;
    if (!account || !credential || !valid || closed) {
      await attempt.failed();
      const result = closed && valid ? 'password_login_closed' : 'invalid_credentials';
      await deps.audit.signIn({
        accountId: account?.id,
        subjectHash: account ? undefined : hmac(deps.subjectKey, id.number),
        clientId: ctx.client.clientId,
        method: 'password',
        result,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      return prompt({ status: 401, error: { code: 'invalid_credentials', field: 'password' }, data: { nationalId: id.number } });
    }
    await attempt.succeeded();

    if (deps.hasher.needsRehash(credential.hash)) {
      await deps.accounts.setPassword({ ...credential, hash: await deps.hasher.hash(password) });
    }
    if (credential.mustChange) {
      ctx.state.phase = 'change';
      ctx.state.accountId = account.id;
      ctx.state.nationalId = account.nationalId; // lets password managers file the new password
      return changePrompt({ data: { nationalId: account.nationalId } });
    }
    // attempt.succeeded() above ended the number's run of failures (src/security/guess-limiter.ts).
    return { kind: 'done', accountId: account.id, amr: ['pwd'], account, runOfFailuresEnded: true };
  }

  const changePrompt = (extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step => ({
    kind: 'prompt',
    view: CHANGE_VIEW,
    ...extra,
    data: { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, ...extra.data },
  });
  const changePromptFor = (ctx: MethodContext, extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step =>
    changePrompt({ ...extra, data: { nationalId: ctx.state.nationalId, ...extra.data } });

  async function changePassword(ctx: MethodContext, input: Record<string, string>): Promise<Step> {
    const accountId = String(ctx.state.accountId ?? '');
    const account = await deps.accounts.findById(accountId);
    const credential = account ? await deps.accounts.findPassword(account.id) : undefined;
    if (!account || !credential) return { kind: 'prompt', view: VIEW, status: 400, error: { code: 'session_expired' } };
    const next = input.new_password ?? '';
    const violations = checkPassword(next, {
      nationalId: account.nationalId,
      birthdate: account.birthdate ?? undefined,
      givenName: account.givenName,
      familyName: account.familyName,
    });
    if (violations.length)
      return changePromptFor(ctx, {
        status: 400,
        error: { code: 'password_rules', field: 'new_password' },
        data: { violations: violations.map((v) => VIOLATION_MESSAGE[v]) },
      });
    if (next !== (input.new_password_confirm ?? ''))
      return changePromptFor(ctx, { status: 400, error: { code: 'password_mismatch', field: 'new_password_confirm' } });
    // The office's one-time password again: said as exactly that (it was "too common" before), the same
    // refusal as on the account pages (src/accounts/password-reuse.ts).
    const reuse = await passwordReuse(deps.hasher, credential, next);
    if (reuse)
      return changePromptFor(ctx, {
        status: 400,
        error: { code: VIOLATION_MESSAGE[reuse], field: 'new_password' },
        data: { violations: [VIOLATION_MESSAGE[reuse]] },
      });
    await deps.accounts.setPassword({ accountId: account.id, hash: await deps.hasher.hash(next), mustChange: false, origin: 'self' });
    await deps.audit.event({
      type: 'password.changed',
      accountId: account.id,
      clientId: ctx.client.clientId,
      ip: ctx.ip,
      detail: { reason: 'one_time_password' },
    });
    return { kind: 'done', accountId: account.id, amr: ['pwd'], account };
  }

  return {
    id: 'password',
    factor: 'first',
    acr: 'low',
    amr: ['pwd'],
    labelKey: 'method.password',
    chooserForm: '/interactions/password/views/form',
    usableBy: (account) => account.passwordLoginEnabled,
    async start(ctx) {
      if (ctx.state.phase === 'change') return changePromptFor(ctx);
      return prompt();
    },
    async continue(ctx, input) {
      if (ctx.state.phase === 'change') return changePassword(ctx, input);
      return verifyCredentials(ctx, input);
    },
  };
}
