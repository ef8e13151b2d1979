import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { log } from '../log.js';
import type { SessionIndex } from './session-index.js';

/**
 * A provider middleware: when oidc-provider's own logout (RP-initiated, or the account pages' sign-out,
 * which goes through it) has destroyed a session, the session index ends the row too, and the session is
 * marked so that a request that loaded it before the logout does not write it back (issue 25).
 */
export function recordLogouts(provider: Provider, sessions: SessionIndex): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'end_session_confirm') return;
    const session = oidc.session as unknown as { uid?: string; accountId?: string; destroyed?: boolean } | undefined;
    if (!session?.destroyed || !session.uid || !session.accountId) return;
    try {
      await sessions.endedByProvider(session.uid, 'signed_out');
    } catch (err) {
      // The logout itself happened (session destroyed, cookie cleared, institutions told): the person
      // gets her answer; the failure to mark is logged for the operator.
      log.error({ err }, 'could not record the logout in the session index');
    }
  });
}
