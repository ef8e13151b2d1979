import type { Context } from 'koa';
import { isLocale, pickLocale, type Locale } from '../i18n/index.js';

const COOKIE = 'kapi_lang';

/**
 * The languages of an Accept-Language header (RFC 9110 §12.5.4) that Kapı speaks, best first: by
 * quality, then by order; `q=0` means "not this one"; `*` says nothing about which.
 */
export function acceptedLocales(header: string | undefined): Locale[] {
  const ranked: { locale: Locale; q: number; at: number }[] = [];
  for (const [at, part] of (header ?? '').split(',').entries()) {
    const [tag, ...params] = part.trim().split(';');
    const lang = tag?.trim().split('-')[0]?.toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!isLocale(lang) || !Number.isFinite(q) || q <= 0) continue;
    ranked.push({ locale: lang, q, at });
  }
  ranked.sort((a, b) => b.q - a.q || a.at - b.at);
  return [...new Set(ranked.map((r) => r.locale))];
}

/**
 * The person's language (issue 20 point 6). Her own choice comes first: the language switch (?lang=),
 * remembered in a cookie for the next visits. Without one, the institution's `ui_locales`, then what
 * the browser says it prefers (Accept-Language) on the very first visit, then Turkish. Every page,
 * error pages included, asks here.
 */
export function localeFor(ctx: Context, uiLocales?: string): Locale {
  const asked = ctx.query.lang;
  if (typeof asked === 'string' && isLocale(asked)) {
    ctx.cookies.set(COOKIE, asked, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000, signed: false, secure: ctx.secure, overwrite: true });
    return asked;
  }
  const remembered = ctx.cookies.get(COOKIE);
  if (isLocale(remembered)) return remembered;
  return pickLocale(uiLocales, acceptedLocales(ctx.get('accept-language'))[0]);
}
