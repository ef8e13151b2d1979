import type { Context } from 'koa';
import { isLocale, pickLocale, type Locale } from './i18n.js';

const COOKIE = 'kapi_lang';

/** The person's language: an explicit switch (?lang=) wins and is remembered, then the cookie, then ui_locales. */
export function localeFor(ctx: Context, uiLocales?: string): Locale {
  const asked = ctx.query.lang;
  if (typeof asked === 'string' && isLocale(asked)) {
    ctx.cookies.set(COOKIE, asked, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000, signed: false, secure: ctx.secure, overwrite: true });
    return asked;
  }
  const remembered = ctx.cookies.get(COOKIE);
  if (isLocale(remembered)) return remembered;
  return pickLocale(uiLocales);
}
