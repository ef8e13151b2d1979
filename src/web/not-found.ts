import type { AfterRoutes } from '../oidc/after-routes.js';
import { translate } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { renderPage } from './render.js';

/**
 * A provider middleware: an address nobody serves ends at oidc-provider, the last handler, whose 404
 * was a bare English "Not Found". A browser asking for a page gets Kapı's own page in its language
 * instead (issue 20 point 6, "every page in both languages"); other requests keep the plain answer.
 */
export function notFoundPage(after: AfterRoutes): void {
  after.add((ctx) => {
    if (ctx.status !== 404 || ctx.body !== undefined || (ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.accepts('html')) return;
    const locale = localeFor(ctx as never);
    return renderPage(
      ctx as never,
      '/src/web/views/error',
      locale,
      { title: translate(locale, 'error.title'), message: translate(locale, 'not_found') },
      { status: 404 },
    );
  });
}
