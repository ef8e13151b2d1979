import type { Context } from 'koa';
import type { UpstreamBinding } from '../engine/types.js';
import { log } from '../log.js';
import type { AuditTrail } from '../engine/ports.js';
import { constantTimeEqual, sha256 } from '../security/crypto.js';
import { registerCatalog, translate, type English, type MessageKey } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { renderPage } from './render.js';

// An upstream's answer that comes back through a browser (a bank's authorization response) is
// accepted only in the browser that was sent to the upstream (RFC 9700 §4.7). Without this, a person
// could start a login, send the upstream's genuine URL to someone else, and have that person's answer,
// filed under `state`, merged into his own interaction.
//
// The binding is a cookie set with the redirect: its name carries part of a hash of the state, so two
// logins in two tabs of one browser each keep their own; its value is the hash (never the state); it is
// sent only to the callback path, lives as long as the answer may take, and is SameSite=Lax (an
// upstream's redirect back is a top-level GET navigation, which Lax cookies accompany). A method
// declares the binding in its `redirect` step; this module is the only one that reads or writes it.

const PREFIX = 'kapi_upstream_';

function cookieName(stateHash: string): string {
  // 16 base64url characters (96 bits) tell the logins of one browser apart; the full hash is the value.
  return `${PREFIX}${stateHash.slice(0, 16)}`;
}

/** Sets the binding cookie for a redirect step that declares one (called by the engine's web layer). */
export function bindUpstreamAnswer(ctx: Context, binding: UpstreamBinding): void {
  const hash = sha256(binding.state);
  ctx.cookies.set(cookieName(hash), hash, {
    path: binding.callbackPath,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    signed: false,
    overwrite: true,
    maxAge: binding.maxAgeSeconds * 1000,
  });
}

/**
 * At an upstream's callback: did this browser start the request that `state` belongs to? A matching
 * binding is used up (cleared) here; the answer itself is single use in its own store.
 */
export function answerStartedHere(ctx: Context, binding: Pick<UpstreamBinding, 'callbackPath' | 'state'>): boolean {
  if (!binding.state) return false;
  const hash = sha256(binding.state);
  const name = cookieName(hash);
  const held = ctx.cookies.get(name, { signed: false });
  if (held === undefined || !constantTimeEqual(held, hash)) return false;
  ctx.cookies.set(name, null, { path: binding.callbackPath, httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false, overwrite: true });
  return true;
}

export interface RefusedAnswer {
  /** The method whose upstream answered (`banking`). */
  method: string;
  /** Which upstream (a bank's id). */
  upstream: string;
  callbackPath: string;
  clientId?: string | undefined;
  /** Translation key of the page's explanation; a generic one by default. */
  messageKey?: MessageKey;
}

/**
 * Refuses, records and explains an answer that arrived in a browser that did not start its request:
 * an audit event (with the address, as every audit row), a warning without personal data (no state,
 * code, address or person), and a 403 page in the person's language telling her nobody was signed in.
 */
export async function refuseAnswerFromElsewhere(
  ctx: Context,
  deps: { audit: AuditTrail; clientIp: (ctx: Context) => string },
  refused: RefusedAnswer,
): Promise<void> {
  const detail = { method: refused.method, upstream: refused.upstream, reason: 'other_browser', callback: refused.callbackPath };
  log.warn(detail, 'upstream answer refused: it arrived in a browser that did not start the request');
  await deps.audit.event({ type: 'upstream.answer_refused', clientId: refused.clientId, ip: deps.clientIp(ctx), detail });
  const locale = localeFor(ctx);
  ctx.set('Cache-Control', 'no-store');
  await renderPage(
    ctx,
    '/src/web/views/error',
    locale,
    { title: translate(locale, 'upstream.answer_elsewhere_title'), message: translate(locale, refused.messageKey ?? 'upstream.answer_elsewhere') },
    { status: 403 },
  );
}

const tr = {
  'upstream.answer_elsewhere_title': 'Bu yanıt kullanılmadı',
  'upstream.answer_elsewhere':
    'Bu yanıt bu tarayıcıda başlatılmış bir girişe ait değil, bu nedenle kullanılmadı ve kimse oturum açmadı. Giriş yapmak istiyorsanız, kullandığınız hizmetin sayfasından bu tarayıcıda yeniden başlayın. Birisi size bir giriş bağlantısı gönderdiyse, sizin adınıza giriş yapmaya çalışıyor olabilir: o bağlantıyı kullanmayın.',
} as const;

const en: English<typeof tr> = {
  'upstream.answer_elsewhere_title': 'This answer was not used',
  'upstream.answer_elsewhere':
    'This answer does not belong to a sign-in started in this browser, so it was not used and nobody was signed in. If you want to sign in, start again from the page of the service you are using, in this browser. If someone sent you a sign-in link, they may have been trying to sign in as you: do not use that link.',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/web/upstream-binding': typeof tr;
  }
}
