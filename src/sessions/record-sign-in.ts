import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AfterRoutes } from '../oidc/after-routes.js';
import { isAcr } from '../assurance/levels.js';
import { log } from '../log.js';
import type { SessionIndex } from './session-index.js';
import type { AuditLog } from '../security/audit.js';

/** A redirect (or form post) carrying a code or token, not an error. */
function answeredWithGrant(status: number, location: string): boolean {
  if (status === 200) return false; // form_post / web_message responses are not tracked here
  if (status < 300 || status >= 400 || !location) return false;
  return /[?#&](code|id_token|access_token)=/.test(location) && !/[?#&]error=/.test(location);
}

/** What the login flow hands to the resume step beside oidc-provider's own `login` result. */
export interface SignInResult {
  methods: string[];
  continuesSession: boolean;
}

/**
 * A provider middleware: after oidc-provider resumes an authorization with a completed login, the
 * session exists (with its stable uid) and is saved; record it in the session index before the
 * browser is sent on, so the account pages and "sign out everywhere" see it at once.
 */
export function recordSignIns(after: AfterRoutes, sessions: SessionIndex, audit: AuditLog): void {
  after.add((ctx) => {
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    // Only an authorization, its resume or a request carrying an interaction's result can have signed
    // anyone in; every other request (tokens, userinfo, discovery) leaves at once, without a promise.
    if (!oidc || (oidc.route !== 'authorization' && oidc.route !== 'resume' && !oidc.result)) return;
    return record(ctx, oidc, sessions, audit);
  });
}

async function record(ctx: KoaContextWithOIDC, oidc: KoaContextWithOIDC['oidc'], sessions: SessionIndex, audit: AuditLog): Promise<void> {
  const result = oidc?.result as { login?: { accountId?: string }; kapi?: SignInResult } | undefined;
  const session = oidc?.session as { uid?: string; accountId?: string; acr?: string; amr?: string[]; loginTs?: number } | undefined;
  if (
    (oidc?.route === 'authorization' || oidc?.route === 'resume') &&
    !result?.login &&
    session?.accountId &&
    answeredWithGrant(ctx.status, ctx.response.get('location'))
  ) {
    // Single sign-on: an institution got an answer from the existing session (perhaps after a consent
    // page), no login ran.
    // The person's login history lists it too (issue 3: every sign-in to each institution).
    await audit
      .signIn({
        accountId: session.accountId,
        clientId: oidc.client?.clientId,
        method: 'session',
        acr: isAcr(session.acr) ? session.acr : undefined,
        result: 'success',
        ip: ctx.ip,
        userAgent: ctx.get('user-agent'),
      })
      .catch((err: unknown) => log.error({ err }, 'could not record the single sign-on'));
    return;
  }
  if (!result?.login || !result.kapi || !session?.uid || !session.accountId || !isAcr(session.acr)) return;
  try {
    await sessions.record({
      uid: session.uid,
      accountId: session.accountId,
      methods: result.kapi.methods,
      acr: session.acr,
      amr: session.amr ?? [],
      signedInAt: session.loginTs ?? Math.floor(Date.now() / 1000),
      ip: ctx.ip,
      userAgent: ctx.get('user-agent'),
      continuesSession: result.kapi.continuesSession,
    });
  } catch (err) {
    // The sign-in itself succeeded; a missing index row only hides the session from the list.
    log.error({ err }, 'could not record the sign-in session');
  }
}
