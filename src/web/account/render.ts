import type { Context } from 'koa';
import type { Locale } from '../../i18n/index.js';
import { translate } from '../../i18n/index.js';
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
  page: { id: string; titleKey: string; data?: Record<string, unknown> },
  options: PageOptions = {},
): Promise<void> {
  const locale: Locale = localeFor(ctx);
  await renderPage(ctx, view, locale, {
    title: translate(locale, page.titleKey),
    // The account router puts the navigation with the modules' entries here (src/web/account/routes.ts).
    nav: (ctx.state.accountNav as NavEntry[] | undefined) ?? ACCOUNT_NAV,
    current: page.id,
    session,
    csrf: session?.csrf,
    ...page.data,
  }, options);
}
