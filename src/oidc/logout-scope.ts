import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * What "No, stay signed in" on the logout question may end. oidc-provider ends the named institution's
 * part of the session on that answer (its grant revoked, a back-channel logout token sent), taking the
 * institution from `client_id` or from any valid ID token given as `id_token_hint`. Both come from
 * whoever made the link: a cross-site link would log the person out of an institution although she
 * answered no. Only an ID token of this very session (its `sid` for that institution) stands for the
 * institution's own request; anything else leaves the answer "no" with nothing to end. "Yes" still
 * ends the whole session, as it always did (Back-Channel Logout tells every institution).
 *
 * Called from `logoutSource`, after oidc-provider wrote the logout state into the session and before
 * the session is saved.
 */
export function narrowLogoutToThisSession(ctx: KoaContextWithOIDC): void {
  const session = ctx.oidc.session;
  const state = session?.state;
  const clientId = state?.clientId as string | undefined;
  if (!session || !state || !clientId) return;
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sid?: unknown; aud?: unknown } } | undefined;
  const sid = session.sidFor(clientId);
  const proves = hint?.payload !== undefined && typeof hint.payload.sid === 'string' && sid !== undefined && hint.payload.sid === sid;
  if (!proves) state.clientId = undefined;
}
