import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type { MessageKey } from '../../i18n/index.js';
import { formFields } from '../form-fields.js';
import { localeFor } from '../locale.js';
import type { AccountDeps } from './deps.js';
import { methodName } from './method-name.js';
import { LEVEL_LABEL } from '../messages.js';
import { renderAccountPage, renderSignedOut } from './render.js';
import { assertAccountCsrf, currentSession, safeNext, signInUrl, unmetBy, type AccessRule, type AccountSession } from './session.js';

/** What the page says a session lacks for a rule. */
const STRONGER_MESSAGE = {
  acr: 'account.stronger.acr',
  methods: 'account.stronger.methods',
  fresh: 'account.stronger.fresh',
} as const satisfies Record<NonNullable<ReturnType<typeof unmetBy>>, MessageKey>;

/** The body parser every account form uses: urlencoded only, small. */
export const accountForm = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

/**
 * Gate of every account page. No session: off to sign in, and back here afterwards. A session that
 * misses the rule (too low, wrong method, too old): a page that says what is needed, with a link that
 * signs in again (never an automatic redirect, which would loop when the person picks the same method).
 */
export async function requireAccount(ctx: Context, deps: AccountDeps, rule: AccessRule = {}): Promise<AccountSession | undefined> {
  const session = await currentSession(ctx, deps);
  const next = safeNext(ctx.method === 'GET' ? ctx.url : ctx.path);
  if (!session) {
    if (ctx.method !== 'GET') {
      // A form posted after the session ended: nothing is changed; say so and offer to sign in.
      await renderSignedOut(ctx, 'account.session_ended', { status: 401 });
      return undefined;
    }
    ctx.redirect(signInUrl(next, rule));
    return undefined;
  }
  const missing = unmetBy(session, rule);
  if (!missing) return session;
  const locale = localeFor(ctx);
  await renderAccountPage(
    ctx,
    session,
    '/src/web/account/views/stronger',
    {
      id: 'stronger',
      titleKey: 'account.stronger.title',
      data: {
        messageKey: STRONGER_MESSAGE[missing],
        levelLabel: rule.acr && LEVEL_LABEL[rule.acr],
        methodNames: (rule.methods ?? []).map((m) => methodName(locale, deps.traits, m)).join(', '),
        signInUrl: signInUrl(next, rule, true),
      },
    },
    { status: 403 },
  );
  return undefined;
}

/** Reads and checks a posted account form: the session (per rule) and its CSRF token. */
export async function requireAccountForm(
  ctx: Context,
  deps: AccountDeps,
  rule: AccessRule = {},
): Promise<{ session: AccountSession; input: Record<string, string> } | undefined> {
  const session = await requireAccount(ctx, deps, rule);
  if (!session) return undefined;
  const input = formFields(ctx, (fields) => assertAccountCsrf(session, fields));
  return { session, input };
}
