import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { isAcr, type Acr } from '../../assurance/levels.js';
import { SESSION_LIFETIMES } from '../../oidc/level-checks.js';
import { randomToken, Sealer } from '../../security/crypto.js';
import { CONSOLE_CLIENT_ID, CONSOLE_PATH, consoleRedirectUri } from './client.js';
import type { ConsoleDeps } from './deps.js';

// The console's own session. The admin listener is another origin than Kapı's public pages, so Kapı's
// session cookie never reaches it: the console signs the operator in through Kapı's login like any
// client (authorization code with PKCE) and redeems the code in this process, from the provider's own
// store: one use, the redirect URI and the PKCE verifier checked, as the token endpoint would. What the
// code says (who, at which level, when proved, which Kapı session) is kept in a cookie sealed with the
// master key; every request checks it against Kapı's session index and the "revoked before" times, so
// signing out everywhere or a revocation ends the console too.

export const SESSION_COOKIE = 'kapi_console';
export const LOGIN_COOKIE = 'kapi_console_login';
const SESSION_CONTEXT = 'console-session';
const LOGIN_CONTEXT = 'console-login';

export interface ConsoleSession {
  /** A random id of this console session (the CSRF token is derived from it). */
  sid: string;
  accountId: string;
  /** Kapı's session uid the sign-in belongs to (the session index). */
  uid: string;
  acr: Acr;
  amr: string[];
  /** Epoch seconds of the sign-in's proof (auth_time). */
  authTime: number;
  /** Epoch seconds the console session began (checked against "revoked before"). */
  iat: number;
}

interface LoginStart {
  state: string;
  verifier: string;
  next: string;
}

const sealerOf = (deps: Pick<ConsoleDeps, 'config'>) => new Sealer(deps.config.masterKey);
// Sealed (AES-GCM, bound to its purpose) already: no cookie signature on top.
const cookieOptions = (ctx: Context, maxAge?: number) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  signed: false,
  secure: ctx.secure,
  overwrite: true,
  path: CONSOLE_PATH,
  ...(maxAge ? { maxAge } : {}),
});

/** The sealed cookie value of a console session (tests mint the levels a sign-in cannot give on demand). */
export function sealSession(deps: Pick<ConsoleDeps, 'config'>, session: ConsoleSession): string {
  return sealerOf(deps).seal(JSON.stringify(session), SESSION_CONTEXT);
}

function openSealed<T>(deps: Pick<ConsoleDeps, 'config'>, value: string | undefined, context: string): T | undefined {
  if (!value || value.length > 4096) return undefined;
  try {
    return JSON.parse(sealerOf(deps).open(value, context)) as T;
  } catch {
    return undefined;
  }
}

/** The operator's console session, if the cookie holds one that Kapı still honours. */
export async function consoleSession(ctx: Context, deps: ConsoleDeps): Promise<ConsoleSession | undefined> {
  const session = openSealed<ConsoleSession>(deps, ctx.cookies.get(SESSION_COOKIE, { signed: false }), SESSION_CONTEXT);
  if (!session || typeof session.accountId !== 'string' || typeof session.uid !== 'string' || !isAcr(session.acr)) return undefined;
  if (Date.now() / 1000 - session.authTime > SESSION_LIFETIMES[session.acr].absolute) return undefined;
  const indexed = await deps.services.sessions.find(session.uid);
  // Kapı's session ended (signed out, signed out everywhere, password cancelled): the console's too.
  if (!indexed || indexed.endedAt || indexed.accountId !== session.accountId) return undefined;
  if (await deps.services.revocations.refuses({ accountId: session.accountId, clientId: CONSOLE_CLIENT_ID, iat: session.iat })) return undefined;
  return session;
}

export function endConsoleSession(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, null, cookieOptions(ctx));
}

/** Starts a sign-in: the state and PKCE verifier sealed in a cookie of this browser; the authorization URL. */
export function startSignIn(ctx: Context, deps: ConsoleDeps, next: string, again: boolean, locale: string): string {
  const start: LoginStart = { state: randomToken(24), verifier: randomToken(32), next };
  ctx.cookies.set(LOGIN_COOKIE, sealerOf(deps).seal(JSON.stringify(start), LOGIN_CONTEXT), cookieOptions(ctx, 30 * 60_000));
  const params = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: consoleRedirectUri(deps.origin()),
    state: start.state,
    code_challenge: createHash('sha256').update(start.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    acr_values: 'high',
    ui_locales: locale,
  });
  // The step-up: a fresh proof at `high`, whatever session the browser holds at Kapı.
  if (again) {
    params.set('prompt', 'login');
    params.set('max_age', '0');
  }
  return `${deps.config.issuer}/auth?${params.toString()}`;
}

/**
 * Finishes a sign-in: the state must be this browser's, the code the console's, unused, for its
 * redirect URI and PKCE verifier. Gives the page to go to, or undefined (nothing signed in).
 */
export async function finishSignIn(ctx: Context, deps: ConsoleDeps): Promise<string | undefined> {
  const start = openSealed<LoginStart>(deps, ctx.cookies.get(LOGIN_COOKIE, { signed: false }), LOGIN_CONTEXT);
  ctx.cookies.set(LOGIN_COOKIE, null, cookieOptions(ctx));
  const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
  const value = typeof ctx.query.code === 'string' ? ctx.query.code : '';
  if (!start || !value || state !== start.state) return undefined;
  const code = (await deps.provider().AuthorizationCode.find(value)) as unknown as
    | {
        isValid: boolean;
        clientId: string;
        redirectUri: string;
        codeChallenge?: string;
        codeChallengeMethod?: string;
        accountId: string;
        acr?: string;
        amr?: string[];
        authTime?: number;
        sessionUid?: string;
        consume(): Promise<void>;
      }
    | undefined;
  if (!code || !code.isValid || code.clientId !== CONSOLE_CLIENT_ID || code.redirectUri !== consoleRedirectUri(deps.origin())) return undefined;
  if (code.codeChallengeMethod !== 'S256' || code.codeChallenge !== createHash('sha256').update(start.verifier).digest('base64url')) return undefined;
  await code.consume();
  if (!isAcr(code.acr) || !code.sessionUid || !code.accountId) return undefined;
  const session: ConsoleSession = {
    sid: randomToken(18),
    accountId: code.accountId,
    uid: code.sessionUid,
    acr: code.acr,
    amr: code.amr ?? [],
    authTime: code.authTime ?? 0,
    iat: Math.floor(Date.now() / 1000),
  };
  ctx.cookies.set(SESSION_COOKIE, sealSession(deps, session), cookieOptions(ctx, SESSION_LIFETIMES.high.absolute * 1000));
  return start.next;
}
