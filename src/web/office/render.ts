import type { Context } from 'koa';
import { translate, type Locale, type MessageKey } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { renderPage, type PageOptions } from '../render.js';
import './messages.js';

/** Who is at the counter, as the console's shell shows her (name, office, the sign-out form's token). */
export interface ClerkView {
  name: string;
  officeName: string;
  officeCode: string;
  csrf: string;
}

export const OFFICE_NAV = [
  { id: 'lookup', href: '/office', labelKey: 'office.nav.lookup' },
  { id: 'history', href: '/office/history', labelKey: 'office.nav.history' },
] as const;

/** Renders a console page inside the console's shell. `view` is a file name in ./views. */
export async function renderOfficePage(
  ctx: Context,
  clerk: ClerkView | undefined,
  view: string,
  page: { id: string; titleKey: MessageKey; data?: Record<string, unknown> },
  options: PageOptions = {},
): Promise<void> {
  const locale: Locale = localeFor(ctx);
  await renderPage(
    ctx,
    `/src/web/office/views/${view}`,
    locale,
    {
      title: translate(locale, page.titleKey),
      nav: OFFICE_NAV,
      current: page.id,
      clerk,
      csrf: clerk?.csrf,
      ...page.data,
    },
    options,
  );
}

/** The console's signed-out page, saying why. */
export async function renderOfficeSignedOut(ctx: Context, messageKey: MessageKey, options: PageOptions = {}): Promise<void> {
  await renderOfficePage(ctx, undefined, 'signed-out', { id: 'signed-out', titleKey: 'office.signed_out.title', data: { messageKey } }, options);
}
