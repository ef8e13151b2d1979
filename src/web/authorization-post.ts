import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import { registerCatalog, translate, type English } from '../i18n/index.js';
import { localeFor } from './locale.js';
import { renderPage } from './render.js';

const tr = {
  'authorization.post_form_only': 'Yetkilendirme isteği POST ile gönderildiğinde gövdesi form kodlamalı (application/x-www-form-urlencoded) olmalıdır.',
} as const;

const en: English<typeof tr> = {
  'authorization.post_form_only': 'An authorization request sent by POST must have a form-encoded body (application/x-www-form-urlencoded).',
};

registerCatalog(tr, en);

declare module '../i18n/index.js' {
  interface Catalogs {
    'src/web/authorization-post': typeof tr;
  }
}

/** Where oidc-provider serves the authorization endpoint (src/oidc/configuration.ts `routes`). */
const AUTHORIZATION = '/auth';
// Request objects (signed JWTs) ride in the form: room for them, not for anything larger.
const readForm = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });

/**
 * OpenID Connect Core §3.1.2.1: the authorization endpoint MUST support GET and POST (Form
 * Serialization). oidc-provider serves POST only with SameSite=None cookies; Kapı keeps them Lax, so a
 * POST is handed to oidc-provider as the same request by GET: the form's parameters, and nothing else,
 * become the query, and every check of the GET request applies (duplicates, PKCE, request objects).
 * A cross-site POST carries no Lax cookie, so the person signs in again (README); request_uri and PAR
 * are untouched.
 */
export function authorizationPost(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== AUTHORIZATION || ctx.method !== 'POST') return next();
    if (!ctx.is('application/x-www-form-urlencoded')) {
      const locale = localeFor(ctx);
      return renderPage(
        ctx,
        '/src/web/views/error',
        locale,
        { title: translate(locale, 'error.title'), message: translate(locale, 'authorization.post_form_only') },
        { status: 400 },
      );
    }
    await readForm(ctx, async () => undefined);
    const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
    // Re-encoded rather than copied, so the query is well-formed whatever the body held.
    const query = new URLSearchParams(raw).toString();
    ctx.method = 'GET';
    ctx.url = query ? `${AUTHORIZATION}?${query}` : AUTHORIZATION;
    return next();
  };
}
