import type Router from '@koa/router';
import type { Context } from 'koa';
import { VIOLATION_MESSAGE } from '../../../../accounts/password-messages.js';
import { methodName } from '../../method-name.js';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordRuleViolation } from '../../../../accounts/password-rules.js';
import { passwordReuse } from '../../../../accounts/password-reuse.js';
import type { Account } from '../../../../accounts/account.js';
import { KapiError } from '../../../../errors.js';
import type { MessageKey } from '../../../../i18n/index.js';
import { localeFor } from '../../../locale.js';
import type { AccountDeps } from '../../deps.js';
import { accountForm, requireAccount, requireAccountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import { signInUrl, type AccountSession } from '../../session.js';
import { deviceCookies, deviceOf } from '../../../device-cookie.js';
import { AttemptLimit, ownAllowance } from './limits.js';
import { mayReplaceWithoutOld } from './rules.js';
import { saveNewPassword } from './save.js';
import './messages.js';

const VIEW = '/src/web/account/pages/password/views/password';

interface FormError {
  field?: string;
  code: MessageKey;
  params?: Record<string, string | number>;
}

/** "Change my password", and "set a password without the old one" after a strong sign-in. */
export function passwordPages(router: Router, deps: AccountDeps): void {
  // Wrong current passwords per account: a stolen session must not become a password oracle.
  const wrongCurrent = new AttemptLimit(deps, 'current-password', 5, 15 * 60);

  const show = async (
    ctx: Context,
    session: AccountSession,
    account: Account,
    extra: { error?: FormError; violations?: PasswordRuleViolation[]; notice?: MessageKey } = {},
    status = 200,
  ) => {
    const withoutOld = mayReplaceWithoutOld(session, deps.traits);
    const strong = session.methods.find((m) => deps.traits.proves(m, 'strong-without-password'));
    await renderAccountPage(
      ctx,
      session,
      VIEW,
      {
        id: 'password',
        titleKey: 'pwchange.title',
        data: {
          withoutOld,
          methodName: strong ? methodName(localeFor(ctx), deps.traits, strong) : '',
          hasPassword: Boolean(await deps.services.accounts.findPassword(account.id)),
          strongSignInUrl: signInUrl('/account/password', { methods: deps.traits.proving('strong-without-password') }, true),
          nationalId: account.nationalId,
          minLength: PASSWORD_MIN_LENGTH,
          maxLength: PASSWORD_MAX_LENGTH,
          ...extra,
          violations: extra.violations?.map((v) => VIOLATION_MESSAGE[v]),
        },
      },
      { status },
    );
  };

  router.get('/password', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const account = await deps.services.accounts.findById(session.accountId);
    if (!account) throw new KapiError('not_found');
    await show(ctx, session, account, { notice: ctx.query.notice === 'changed' ? 'pwchange.notice.changed' : undefined });
  });

  router.post('/password', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const { session, input } = form;
    const account = await deps.services.accounts.findById(session.accountId);
    if (!account) throw new KapiError('not_found');
    const withoutOld = mayReplaceWithoutOld(session, deps.traits);
    const next = input.new_password ?? '';
    const confirm = input.new_password_confirm ?? '';

    let current: string | undefined;
    if (!withoutOld) {
      current = input.current_password ?? '';
      if (!current) return show(ctx, session, account, { error: { field: 'current_password', code: 'pwchange.error.current_missing' } }, 400);
      // The guess's point is taken before argon2 runs: parallel posts cannot outrun the limit. The
      // person's own browser (device cookie) has its own allowance: a stolen session cannot lock it.
      const subject = ownAllowance(account.id, deviceOf(ctx, deviceCookies(deps.config), account.nationalId));
      const wait = await wrongCurrent.consume(subject);
      if (wait) return show(ctx, session, account, { error: { field: 'current_password', code: 'pwchange.error.too_many', params: { seconds: wait } } }, 429);
      const credential = await deps.services.accounts.findPassword(account.id);
      const right = credential ? await deps.services.hasher.verify(credential.hash, current) : await deps.services.hasher.dummyVerify();
      if (!right) {
        await deps.services.audit.event({
          type: 'account.password_change_refused',
          accountId: account.id,
          actor: 'self',
          ip: deps.clientIp(ctx),
          detail: { reason: 'current_wrong' },
        });
        return show(ctx, session, account, { error: { field: 'current_password', code: 'pwchange.error.current_wrong' } }, 401);
      }
      await wrongCurrent.reset(subject);
    }

    const violations = checkPassword(next, {
      nationalId: account.nationalId,
      birthdate: account.birthdate ?? undefined,
      givenName: account.givenName,
      familyName: account.familyName,
    });
    if (violations.length) return show(ctx, session, account, { error: { field: 'new_password', code: 'pwchange.error.rules' }, violations }, 400);
    if (next !== confirm) return show(ctx, session, account, { error: { field: 'new_password_confirm', code: 'pwchange.error.mismatch' } }, 400);
    // The password it replaces, typed again: refused as exactly that, here, on the reset page and at the
    // forced change of an office password alike (src/accounts/password-reuse.ts).
    const reuse = await passwordReuse(deps.services.hasher, await deps.services.accounts.findPassword(account.id), next, current);
    if (reuse) return show(ctx, session, account, { error: { field: 'new_password', code: VIOLATION_MESSAGE[reuse] }, violations: [reuse] }, 400);

    await saveNewPassword(ctx, deps, {
      accountId: account.id,
      hash: await deps.services.hasher.hash(next),
      origin: 'self',
      event: withoutOld ? 'account.password_set_without_old' : 'account.password_changed',
      detail: { methods: session.methods, acr: session.acr },
      // The person stays signed in here; every other session ends (one may be an intruder's), and every
      // token an institution holds for her, offline_access included (DESIGN.md, third round, "Endings").
      endSessions: { except: session.uid, reason: 'password_changed', revokeTokens: true },
    });
    ctx.status = 303;
    ctx.redirect('/account/password?notice=changed');
  });
}
