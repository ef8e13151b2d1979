import type Router from '@koa/router';
import type { Context } from 'koa';
import { KapiError } from '../../../../errors.js';
import type { AccountDeps } from '../../deps.js';
import type { MessageKey } from '../../../../i18n/index.js';
import { formFields } from '../../../form-fields.js';
import { noticeFrom } from '../../../notice.js';
import { accountForm, requireAccount, requireAccountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import { signInUrl, unmetBy, type AccessRule } from '../../session.js';
import { BANK_BLOCK_RULE, BANK_UNBLOCK_RULE, passwordLoginRule } from './rules.js';
import { applySettingChange, changeName, type SettingChange } from './settings.js';
import './messages.js';

const PAGE = '/account/security';
/** What the page says after each change it redirects from (`?notice=`). */
const NOTICES = {
  password_login_closed: 'security.notice.password_login_closed',
  password_login_opened: 'security.notice.password_login_opened',
  bank_login_blocked: 'security.notice.bank_login_blocked',
  bank_login_unblocked: 'security.notice.bank_login_unblocked',
  unchanged: 'security.notice.unchanged',
} as const satisfies Record<string, MessageKey>;

/** The posted action, strictly: anything else is a bad request, never a guess at what was meant. */
function parseAction(input: Record<string, string>, setting: SettingChange['setting']): SettingChange {
  const action = input.action;
  if (setting === 'password_login' && (action === 'close' || action === 'open')) return { setting, enabled: action === 'open' };
  if (setting === 'bank_login' && (action === 'block' || action === 'unblock')) return { setting, enabled: action === 'unblock' };
  throw new KapiError('invalid_request', 'unknown security action');
}

function ruleFor(change: SettingChange, passwordLogin: AccessRule): AccessRule {
  if (change.setting === 'password_login') return passwordLogin;
  return change.enabled ? BANK_UNBLOCK_RULE : BANK_BLOCK_RULE;
}

/** "Security and settings": password login (close/open) and access restrictions (online banking). */
export function securityPages(router: Router, deps: AccountDeps): void {
  const PASSWORD_LOGIN_RULE = passwordLoginRule(deps.traits);
  router.get('/security', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const account = await deps.services.accounts.findById(session.accountId);
    if (!account) throw new KapiError('not_found');
    const notice = noticeFrom(NOTICES, ctx.query.notice);
    await renderAccountPage(ctx, session, '/src/web/account/pages/security/views/security', {
      id: 'security',
      titleKey: 'security.title',
      data: {
        passwordLoginEnabled: account.passwordLoginEnabled,
        bankLoginEnabled: account.bankLoginEnabled,
        hasPassword: Boolean(await deps.services.accounts.findPassword(account.id)),
        // Whether this session may change password login; if not, the page says how to get such a session.
        signatureSession: !unmetBy(session, PASSWORD_LOGIN_RULE),
        signatureSignInUrl: signInUrl(PAGE, PASSWORD_LOGIN_RULE, true),
        notice,
      },
    });
  });

  const post = (path: string, setting: SettingChange['setting']) => {
    // A re-authentication returns the browser to the form's address with GET: back to the page.
    router.get(path, (ctx) => ctx.redirect(PAGE));
    router.post(path, accountForm, async (ctx: Context) => {
      // The action decides the rule (blocking banking needs less than opening it), so it is read
      // first; the session, the rule and the CSRF token are all checked before anything changes.
      const change = parseAction(formFields(ctx), setting);
      const form = await requireAccountForm(ctx, deps, ruleFor(change, PASSWORD_LOGIN_RULE));
      if (!form) return;
      const changed = await applySettingChange(ctx, deps, form.session, change);
      ctx.status = 303;
      ctx.redirect(`${PAGE}?notice=${changed ? changeName(change) : 'unchanged'}`);
    });
  };
  post('/security/password-login', 'password_login');
  post('/security/bank-login', 'bank_login');
}
