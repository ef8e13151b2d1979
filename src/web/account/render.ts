import type { Context } from 'koa';
import { translate, type Locale, type MessageKey } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { renderPage, type PageOptions } from '../render.js';
import { ACCOUNT_NAV, type NavEntry } from './nav.js';
import type { AccountSession } from './session.js';

/**
 * Renders an account page inside the account layout (navigation, sign-out form, CSRF token).
 * `view` is a project-root path like '/src/web/account/views/home'; `titleKey` a message key.
 */
export async function renderAccountPage(
  ctx: Context,
  session: AccountSession | undefined,
  view: string,
  page: { id: string; titleKey: MessageKey; data?: Record<string, unknown> },
  options: PageOptions = {},
): Promise<void> {
  const locale: Locale = localeFor(ctx);
  await renderPage(
    ctx,
    view,
    locale,
    {
      title: translate(locale, page.titleKey),
      // The account router puts the navigation with the modules' entries here (src/web/account/routes.ts).
      nav: (ctx.state.accountNav as NavEntry[] | undefined) ?? ACCOUNT_NAV,
      current: page.id,
      session,
      csrf: session?.csrf,
      ...page.data,
    },
    options,
  );
}

/** The signed-out page, saying why (the session ended, a sign-in did not complete, signed out). */
export async function renderSignedOut(ctx: Context, messageKey: MessageKey, options: PageOptions = {}): Promise<void> {
  await renderAccountPage(
    ctx,
    undefined,
    '/src/web/account/views/signed-out',
    { id: 'signed-out', titleKey: 'account.signed_out.title', data: { messageKey } },
    options,
  );
}
