import Router from '@koa/router';
import type { Context } from 'koa';
import { isAcr } from '../../assurance/levels.js';
import { constantTimeEqual, deriveKey, hmac, randomToken, sha256 } from '../../security/crypto.js';
import { createHash } from 'node:crypto';
import { localeFor } from '../locale.js';
import { ACCOUNT_CLIENT_ID, accountRedirectUri, accountSignedOutUri } from './client.js';
import type { AccountDeps } from './deps.js';
import { renderAccountPage, renderSignedOut } from './render.js';
import { formFields } from '../form-fields.js';
import { accountForm, requireAccount } from './guard.js';
import { assertAccountCsrf, currentSession, safeNext, type AccountSession } from './session.js';
import { ACCOUNT_PAGES } from './pages/index.js';
import { accountNav } from './nav.js';
import { methodName } from './method-name.js';
import { LEVEL_LABEL } from '../messages.js';
import './messages.js';

const LOGIN_COOKIE = 'kapi_account_login';
// Set when a sign-in ended as another person than the one signed in before (see the callback).
const SWITCHED_COOKIE = 'kapi_account_switched';

function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The account pages: sign-in through Kapı itself, the overview, sign-out, and every feature page. */
export function accountRouter(deps: AccountDeps): Router {
  const router = new Router({ prefix: '/account' });
  const modulePages = deps.modulePages ?? [];
  const nav = accountNav(modulePages.map((p) => p.nav));
  router.use(async (ctx, next) => {
    ctx.state.accountNav = nav;
    await next();
  });
  const issuer = deps.config.issuer;
  const cookieOptions = (ctx: Context) => ({ httpOnly: true, sameSite: 'lax' as const, signed: true, secure: ctx.secure, overwrite: true, path: '/account' });
  // Who was signed in when a sign-in started, as a keyed hash (no account id in a cookie): a sign-in
  // that ends as somebody else is a new person's session, and is said so (see the callback).
  const personKey = deriveKey(deps.config.masterKey, 'account-login-person');
  const personOf = (session: AccountSession) => hmac(personKey, session.accountId);

  router.get('/', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const account = await deps.services.accounts.findById(session.accountId);
    const locale = localeFor(ctx);
    const signedInAt = new Date(session.loginTs * 1000);
    await renderAccountPage(ctx, session, '/src/web/account/views/home', {
      id: 'overview',
      titleKey: 'account.home.title',
      data: {
        name: account ? `${account.givenName} ${account.familyName}` : '',
        methods: session.methods.map((m) => methodName(locale, deps.traits, m)),
        levelLabel: LEVEL_LABEL[session.acr],
        signedInAt,
        signedInAtText: signedInAt.toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' }),
      },
    });
  });

  // Starts a sign-in to Kapı's own client: the login pages, the engine and its policies do the rest.
  router.get('/login', async (ctx) => {
    const state = randomToken(24);
    const verifier = randomToken(32);
    const next = safeNext(ctx.query.next);
    const before = await currentSession(ctx, deps);
    ctx.cookies.set(
      LOGIN_COOKIE,
      Buffer.from(JSON.stringify({ state: sha256(state), verifier, next, ...(before ? { person: personOf(before) } : {}) })).toString('base64url'),
      { ...cookieOptions(ctx), maxAge: 30 * 60_000 },
    );
    const params = new URLSearchParams({
      client_id: ACCOUNT_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: accountRedirectUri(issuer),
      state,
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: 'S256',
      ui_locales: localeFor(ctx),
    });
    if (isAcr(ctx.query.acr)) params.set('acr_values', ctx.query.acr);
    // "Sign in again": a fresh proof, whatever session exists (re-authentication, a different method).
    if (ctx.query.again === '1') {
      params.set('prompt', 'login');
      params.set('max_age', '0');
    }
    ctx.redirect(`/auth?${params.toString()}`);
  });

  // The authorization response. The account pages rely on Kapı's own session cookie, which this
  // sign-in has just set; the state check makes sure this browser started it. The code is not needed
  // and expires unused.
  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(LOGIN_COOKIE, { signed: true });
    ctx.cookies.set(LOGIN_COOKIE, null, cookieOptions(ctx));
    let started: { state: string; next: string; person?: string } | undefined;
    try {
      started = raw ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { state: string; next: string; person?: string }) : undefined;
    } catch {
      started = undefined;
    }
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!started || sha256(state) !== started.state) {
      await renderSignedOut(ctx, 'account.login_not_started', { status: 400 });
      return;
    }
    if (typeof ctx.query.error === 'string') {
      await renderSignedOut(ctx, ctx.query.error === 'access_denied' ? 'account.login_cancelled' : 'account.login_failed', { status: 400 });
      return;
    }
    // "Verify it's me" (or any sign-in) that ended as another person: the earlier person's session was
    // ended by the provider before this one began (oidc-provider logs the old account out first), and
    // the new person is told so, on a page of its own, instead of being taken silently to a page the
    // earlier person had asked for (issue 20 point 5).
    const now = await currentSession(ctx, deps);
    if (started.person && now && !constantTimeEqual(personOf(now), started.person)) {
      await deps.services.audit.event({
        type: 'session.another_person_signed_in',
        accountId: now.accountId,
        clientId: ACCOUNT_CLIENT_ID,
        actor: 'self',
        ip: deps.clientIp(ctx),
        detail: { uid: now.uid },
      });
      // The notice is bound to this new session (its uid, keyed), so it shows for it alone, and survives
      // a change of language.
      ctx.cookies.set(SWITCHED_COOKIE, hmac(personKey, `switched\n${now.uid}`), { ...cookieOptions(ctx), path: '/account/switched', maxAge: 10 * 60_000 });
      ctx.redirect('/account/switched');
      return;
    }
    ctx.redirect(safeNext(started.next));
  });

  router.get('/switched', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const mark = ctx.cookies.get(SWITCHED_COOKIE, { signed: true });
    if (!mark || !constantTimeEqual(mark, hmac(personKey, `switched\n${session.uid}`))) return ctx.redirect('/account');
    const account = await deps.services.accounts.findById(session.accountId);
    await renderAccountPage(ctx, session, '/src/web/account/views/switched', {
      id: 'switched',
      titleKey: 'account.switched.title',
      data: { name: account ? `${account.givenName} ${account.familyName}` : '' },
    });
  });

  // Sign-out goes through oidc-provider's end_session (confirmation page, back-channel logout to the
  // institutions of this session).
  router.post('/logout', accountForm, async (ctx) => {
    const session = await currentSession(ctx, deps);
    if (session) formFields(ctx, (fields) => assertAccountCsrf(session, fields));
    const params = new URLSearchParams({ client_id: ACCOUNT_CLIENT_ID, post_logout_redirect_uri: accountSignedOutUri(issuer), ui_locales: localeFor(ctx) });
    ctx.redirect(`/session/end?${params.toString()}`);
  });

  router.get('/signed-out', async (ctx) => {
    await renderSignedOut(ctx, 'account.signed_out.body');
  });

  for (const page of ACCOUNT_PAGES) page(router, deps);
  // The engine does not know the account pages' dependency type: this is the one caller (src/engine/module.ts).
  for (const page of modulePages) page.register(router, deps as never);
  return router;
}
