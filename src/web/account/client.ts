import type { ClientService } from '../../clients/client-service.js';

/**
 * Kapı's own account pages sign people in like any institution: through an authorization request to
 * this first-party client (public, PKCE, no consent screen). That keeps one login UI, one policy engine
 * and the standard knobs (acr_values for a stronger method, prompt=login for re-authentication).
 */
export const ACCOUNT_CLIENT_ID = 'kapi-account';

export function accountRedirectUri(issuer: string): string {
  return `${issuer}/account/callback`;
}

export function accountSignedOutUri(issuer: string): string {
  return `${issuer}/account/signed-out`;
}

/** Registers the account client on first start and follows the issuer if it moves. */
export async function ensureAccountClient(clients: ClientService, issuer: string): Promise<void> {
  const redirectUris = [accountRedirectUri(issuer)];
  const postLogoutRedirectUris = [accountSignedOutUri(issuer)];
  const existing = await clients.show(ACCOUNT_CLIENT_ID);
  if (!existing) {
    await clients.add({
      clientId: ACCOUNT_CLIENT_ID,
      name: 'Kapı',
      redirectUris,
      postLogoutRedirectUris,
      authMethod: 'none',
      scopes: ['openid'],
      subjectType: 'public',
      institutionId: 'kapi',
      firstParty: true,
    });
    return;
  }
  const current = existing.metadata.redirect_uris as string[] | undefined;
  if (current?.[0] !== redirectUris[0]) await clients.update(ACCOUNT_CLIENT_ID, { redirectUris, postLogoutRedirectUris });
}
