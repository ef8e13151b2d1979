import { Eta } from 'eta';
import type { Context } from 'koa';
import { type Locale, translator } from '../i18n/index.js';
import './messages.js';
import { formTargets } from './form-targets.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from './outage.js';
import { PACKAGE_ROOT } from '../runtime/package-root.js';

// Views are Eta templates under the project root (src/web/views, interactions/*/views). Eta escapes
// every `<%= %>` output by default; `<%~ %>` (raw) is used only for the layout's rendered body.
// They are read from the source tree also when the code runs compiled (src/runtime/package-root.ts).
export const PROJECT_ROOT = PACKAGE_ROOT;
const eta = new Eta({ views: PACKAGE_ROOT, cache: true, autoEscape: true });

export interface PageOptions {
  status?: number;
}

export function contentSecurityPolicy(formTargets: string[] = []): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "script-src 'self'",
    "connect-src 'self'",
    `form-action 'self'${formTargets.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export interface PageData {
  title: string;
  [key: string]: unknown;
}

/** Renders a hosted page in the person's language with the strict headers every page gets. */
export async function renderPage(ctx: Context, view: string, locale: Locale, data: PageData, options: PageOptions = {}): Promise<void> {
  const t = translator(locale);
  const url = new URL(ctx.href);
  // A page answering a form post: its language link must lead to a page that can be shown with GET.
  // Every step of a login is shown again by the interaction's own address.
  if (ctx.method !== 'GET') {
    const interaction = /^\/interaction\/[^/]+/.exec(url.pathname);
    url.pathname = interaction ? interaction[0] : url.pathname;
    url.search = '';
  }
  url.searchParams.set('lang', locale === 'tr' ? 'en' : 'tr');
  const html = await eta.renderAsync(view, {
    ...data,
    t,
    locale,
    langUrl: `${url.pathname}${url.search}`,
    otherLocale: locale === 'tr' ? 'en' : 'tr',
  });
  ctx.status = options.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', contentSecurityPolicy(formTargets(ctx)));
  ctx.set('Cache-Control', 'no-store');
  // A 503 page (storage or an upstream temporarily unreachable) says when to try again, as the JSON 503s do.
  if (ctx.status === 503) ctx.set('Retry-After', OUTAGE_RETRY_AFTER_SECONDS);
  ctx.body = html;
}
