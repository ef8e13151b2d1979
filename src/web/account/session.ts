import type { Context } from 'koa';
import { atLeast, isAcr, type Acr } from '../../assurance/levels.js';
import { SESSION_LIFETIMES } from '../../oidc/level-checks.js';
import { constantTimeEqual, deriveKey, hmac } from '../../security/crypto.js';
import { KapiError } from '../../errors.js';
import type { AccountDeps } from './deps.js';

/** The person signed in to Kapı itself, as the account pages see them. */
export interface AccountSession {
  accountId: string;
  /** oidc-provider's session uid (the key of the session index). */
  uid: string;
  acr: Acr;
  amr: string[];
  /** Method ids that proved the person in this session (from the session index). */
  methods: string[];
  /** Epoch seconds of the latest sign-in of this session. */
  loginTs: number;
  /** Anti-CSRF token for the account pages' forms, bound to this session. */
  csrf: string;
}

/** What a page asks of the session before it shows or changes anything. */
export interface AccessRule {
  /** The lowest level of assurance. */
  acr?: Acr;
  /** The session must have been proved with one of these methods (e.g. only e-signature or mobile signature). */
  methods?: readonly string[];
  /** Re-authentication: the latest sign-in must be at most this many seconds old. */
  maxAgeSeconds?: number;
  /** A session of this level meets the rule whatever else it asks (a `high` sign-in may always remove a factor). */
  sufficientAcr?: Acr;
}

/** Kapı's own sign-in session for this browser, if there is one and it is still valid (the account pages and the office console). */
export async function currentSession(ctx: Context, deps: Pick<AccountDeps, 'config' | 'services' | 'provider'>): Promise<AccountSession | undefined> {
  const provider = deps.provider();
  const session = (await provider.Session.get(ctx as never)) as unknown as { uid?: string; accountId?: string; acr?: string; amr?: string[]; loginTs?: number };
  if (!session.accountId || !session.uid || !isAcr(session.acr)) return undefined;
  const loginTs = session.loginTs ?? 0;
  if (Date.now() / 1000 - loginTs > SESSION_LIFETIMES[session.acr].absolute) return undefined;
  const indexed = await deps.services.sessions.find(session.uid);
  // A session the index does not know, or has ended (signed out everywhere, password cancelled), is not honoured.
  if (!indexed || indexed.endedAt || indexed.accountId !== session.accountId) return undefined;
  return {
    accountId: session.accountId,
    uid: session.uid,
    acr: session.acr,
    amr: session.amr ?? [],
    methods: indexed.methods,
    loginTs,
    csrf: csrfToken(deps, session.uid),
  };
}

function csrfToken(deps: Pick<AccountDeps, 'config'>, uid: string): string {
  return hmac(deriveKey(deps.config.masterKey, 'account-csrf'), uid);
}

/** Checks the anti-CSRF token of a form posted to an account page. */
export function assertAccountCsrf(session: AccountSession, body: Record<string, unknown>): void {
  const sent = body._csrf;
  if (typeof sent !== 'string' || !constantTimeEqual(sent, session.csrf)) throw new KapiError('csrf_failed');
}

/** Which part of the rule the session misses, if any. */
export function unmetBy(session: AccountSession, rule: AccessRule, now = Date.now()): 'acr' | 'methods' | 'fresh' | undefined {
  if (rule.sufficientAcr && atLeast(session.acr, rule.sufficientAcr)) return undefined;
  if (rule.acr && !atLeast(session.acr, rule.acr)) return 'acr';
  if (rule.methods && !session.methods.some((m) => rule.methods!.includes(m))) return 'methods';
  if (rule.maxAgeSeconds !== undefined && now / 1000 - session.loginTs > rule.maxAgeSeconds) return 'fresh';
  return undefined;
}

/** The sign-in link for a page: back to `next` afterwards, asking for what the rule needs. */
export function signInUrl(next: string, rule: AccessRule = {}, again = false): string {
  const params = new URLSearchParams({ next });
  if (rule.acr) params.set('acr', rule.acr);
  if (again || rule.maxAgeSeconds !== undefined || rule.methods) params.set('again', '1');
  return `/account/login?${params.toString()}`;
}

/** Only a path of the account pages may be a `next` target (no open redirect). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/account(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_%-]*)?$/.test(value) ? value : '/account';
}
