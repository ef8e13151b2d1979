import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { isKapiError } from '../errors.js';
import { log } from '../log.js';
import { translate } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { asOutage } from './outage.js';
import { renderPage } from './render.js';

/**
 * oidc-provider's error page (its `renderError`), as Kapı's own page in the person's language. What the
 * person can act on is said; the OAuth error code is not (issue 20 point 6): it used to be shown as
 * the "reference number", which is nothing a help desk can look up. A server error gets a real
 * reference, written to the log with the error; a refused request (an institution's malformed or
 * unregistered request, mostly) says to go back to the service and start again, and is logged with
 * its code and description for the operator.
 */
export async function renderOidcError(ctx: Context, out: { error: string; error_description?: string | undefined }, error: unknown): Promise<void> {
  const locale = localeFor(ctx, typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined);
  // Kapı's own errors raised inside oidc-provider (storage down: 503) keep their status and message.
  const kapi = isKapiError(error) ? error : asOutage(error);
  const status = (error as { statusCode?: number }).statusCode ?? kapi?.status ?? (out.error === 'server_error' ? 500 : 400);
  const page = { title: translate(locale, 'error.title') };
  if (kapi) return renderPage(ctx, '/src/web/views/error', locale, { ...page, message: translate(locale, kapi.code) }, { status });
  if (status >= 500) {
    const reference = randomUUID();
    log.error({ err: error, reference, error: out.error, detail: out.error_description, path: ctx.path }, 'authorization server error');
    return renderPage(ctx, '/src/web/views/error', locale, { ...page, message: translate(locale, 'internal'), reference }, { status });
  }
  log.info({ error: out.error, detail: out.error_description, path: ctx.path }, 'request refused by the authorization server');
  return renderPage(ctx, '/src/web/views/error', locale, { ...page, message: translate(locale, 'error.request_refused') }, { status });
}
