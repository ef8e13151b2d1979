import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import { KapiError } from '../errors.js';
import { translate } from '../i18n/index.js';
import { localeFor } from '../web/locale.js';
import { allowFormTargets } from '../web/form-targets.js';
import { renderPage } from '../web/render.js';
import './messages.js';

export const DEMO_CLIENT_ID = 'demo-institution';
const TX_COOKIE = 'demo_tx';
const SESSION_COOKIE = 'demo_session';

/**
 * The demo institution: a real relying party (openid-client) living in the same process, that signs
 * its visitors in through Kapı over HTTP exactly as an institution's application would.
 */
export function demoRouter(deps: { issuer: string; clientSecret: () => Promise<string> }): Router {
  const router = new Router({ prefix: '/demo' });
  let configuration: oidc.Configuration | undefined;

  async function client(): Promise<oidc.Configuration> {
    if (configuration) return configuration;
    const secret = await deps.clientSecret();
    const url = new URL(deps.issuer);
    configuration = await oidc.discovery(
      url,
      DEMO_CLIENT_ID,
      { id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(secret),
      url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
    return configuration;
  }

  const redirectUri = `${deps.issuer}/demo/callback`;
  const cookieOptions = (ctx: Context) => ({ httpOnly: true, sameSite: 'lax' as const, signed: true, secure: ctx.secure, overwrite: true });

  router.get('/', async (ctx) => {
    const locale = localeFor(ctx);
    allowFormTargets(ctx, [deps.issuer]); // the sign-in and sign-out buttons lead to Kapı's endpoints
    const session = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    const claims = session ? (JSON.parse(Buffer.from(session, 'base64url').toString('utf8')) as { claims: Record<string, unknown> }).claims : undefined;
    await renderPage(ctx, '/src/demo/views/demo', locale, {
      title: translate(locale, 'demo.title'),
      claims: claims ? Object.entries(claims).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]) : undefined,
    });
  });

  router.get('/login', async (ctx) => {
    const config = await client();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const level = typeof ctx.query.acr === 'string' && ['low', 'substantial', 'high'].includes(ctx.query.acr) ? ctx.query.acr : undefined;
    ctx.cookies.set(TX_COOKIE, Buffer.from(JSON.stringify({ verifier, state, nonce })).toString('base64url'), { ...cookieOptions(ctx), maxAge: 15 * 60_000 });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile national_id',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ui_locales: localeFor(ctx),
      ...(level ? { acr_values: level } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(TX_COOKIE, { signed: true });
    if (!raw) throw new KapiError('session_expired');
    const tx = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { verifier: string; state: string; nonce: string };
    ctx.cookies.set(TX_COOKIE, null, cookieOptions(ctx));
    const config = await client();
    const current = new URL(ctx.originalUrl, deps.issuer);
    let tokens;
    let claims: Record<string, unknown>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      // The ID token says who and how (sub, acr, amr, auth_time); with an access token issued, the
      // person's claims come from userinfo (OpenID Connect Core §5.4), as a real institution reads them.
      const idToken: Record<string, unknown> = tokens.claims() ?? {};
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(idToken.sub));
      claims = { ...userinfo, ...idToken };
    } catch (err) {
      const locale = localeFor(ctx);
      allowFormTargets(ctx, [deps.issuer]);
      const e = err as { error?: string; error_description?: string; message?: string };
      return renderPage(
        ctx,
        '/src/demo/views/demo',
        locale,
        { title: translate(locale, 'demo.title'), failure: e.error ?? e.message, failureDetail: e.error_description },
        { status: 400 },
      );
    }
    const shown = Object.fromEntries(Object.entries(claims).filter(([k]) => !['aud', 'iss', 'exp', 'iat', 'nonce', 'at_hash', 'sid'].includes(k)));
    ctx.cookies.set(SESSION_COOKIE, Buffer.from(JSON.stringify({ claims: shown, idToken: tokens.id_token })).toString('base64url'), {
      ...cookieOptions(ctx),
      maxAge: 60 * 60_000,
    });
    ctx.redirect('/demo');
  });

  router.get('/logout', async (ctx) => {
    const session = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    ctx.cookies.set(SESSION_COOKIE, null, cookieOptions(ctx));
    const idToken = session ? (JSON.parse(Buffer.from(session, 'base64url').toString('utf8')) as { idToken?: string }).idToken : undefined;
    const config = await client();
    ctx.redirect(oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${deps.issuer}/demo`, ...(idToken ? { id_token_hint: idToken } : {}) }).href);
  });

  return router;
}
