import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { isAcr } from '../assurance/levels.js';
import { log } from '../log.js';
import type { SessionIndex } from './session-index.js';

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
export function recordSignIns(provider: Provider, sessions: SessionIndex): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    const result = oidc?.result as { login?: { accountId?: string }; kapi?: SignInResult } | undefined;
    const session = oidc?.session as { uid?: string; accountId?: string; acr?: string; amr?: string[]; loginTs?: number } | undefined;
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
  });
}
