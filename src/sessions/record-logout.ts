import type { AfterRoutes } from '../oidc/after-routes.js';
import { log } from '../log.js';
import type { SessionIndex } from './session-index.js';

/**
 * A provider middleware: when oidc-provider's own logout (RP-initiated, or the account pages' sign-out,
 * which goes through it) has destroyed a session, the session index ends the row too, and the session is
 * marked so that a request that loaded it before the logout does not write it back (issue 25).
 */
export function recordLogouts(after: AfterRoutes, sessions: SessionIndex): void {
  after.add((ctx) => {
    const oidc = ctx.oidc as typeof ctx.oidc | undefined;
    if (oidc?.route !== 'end_session_confirm') return;
    const session = oidc.session as unknown as { uid?: string; accountId?: string; destroyed?: boolean } | undefined;
    if (!session?.destroyed || !session.uid || !session.accountId) return;
    // The logout itself happened (session destroyed, cookie cleared, institutions told): the person
    // gets her answer; the failure to mark is logged for the operator.
    return sessions.endedByProvider(session.uid, 'signed_out').catch((err: unknown) => log.error({ err }, 'could not record the logout in the session index'));
  });
}
