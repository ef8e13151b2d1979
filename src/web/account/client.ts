import type { ClientService } from '../../clients/client-service.js';
import { ensureFirstPartyClient } from '../../clients/first-party-client.js';

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
  await ensureFirstPartyClient(clients, { clientId: ACCOUNT_CLIENT_ID, name: 'Kapı', base: `${issuer}/account` });
}
