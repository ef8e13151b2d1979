import type { Context } from 'koa';
import { translate, type Locale, type MessageKey } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { renderPage, type PageOptions } from '../render.js';
import { FIELD_LABEL, GATE_LABEL, OFFICE_KIND_LABEL, ROLE_LABEL, SCOPE_LABEL, SUBJECT_LABEL } from './messages.js';

/** Who is signed in, as the console's shell shows them (name, role, the sign-out form's token). */
export interface OperatorView {
  name: string;
  role: string;
  administrator: boolean;
  csrf: string;
}

export const CONSOLE_NAV = [
  { id: 'institutions', href: '/console', labelKey: 'console.nav.institutions' },
  { id: 'audit', href: '/console/audit', labelKey: 'console.nav.audit' },
  { id: 'keys', href: '/console/keys', labelKey: 'console.nav.keys' },
  { id: 'offices', href: '/console/offices', labelKey: 'console.nav.offices' },
] as const;

/** 24-hour date and time in Türkiye's time zone, whatever the server's. */
export function consoleTime(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul', dateStyle: 'short', timeStyle: 'short' }).format(at);
}

/** Renders a console page inside the console's shell. `view` is a file name in ./views. */
export async function renderConsolePage(
  ctx: Context,
  operator: OperatorView | undefined,
  view: string,
  page: { id: string; titleKey: MessageKey; titleParams?: Record<string, string>; data?: Record<string, unknown> },
  options: PageOptions = {},
): Promise<void> {
  const locale: Locale = localeFor(ctx);
  await renderPage(
    ctx,
    `/src/web/console/views/${view}`,
    locale,
    {
      title: translate(locale, page.titleKey, page.titleParams),
      nav: CONSOLE_NAV,
      current: page.id,
      operator,
      csrf: operator?.csrf,
      // Typed key maps for the templates, which name keys only as literals or from these (test/unit/messages.test.ts).
      fieldKeys: FIELD_LABEL,
      scopeKeys: SCOPE_LABEL,
      gateKeys: GATE_LABEL,
      roleKeys: ROLE_LABEL,
      subjectKeys: SUBJECT_LABEL,
      officeKindKeys: OFFICE_KIND_LABEL,
      ...page.data,
    },
    options,
  );
}
