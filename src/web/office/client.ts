import type { ClientService } from '../../clients/client-service.js';
import { ensureFirstPartyClient } from '../../clients/first-party-client.js';

/**
 * The registrar console at /office signs clerks in like the account pages do: an authorization request
 * to this first-party client (public, PKCE, no consent screen) with `min_acr` high, so the login pages
 * offer only e-signature, mobile signature and the ID card, and `prompt=login` for the step-up. The
 * console then reads Kapı's own session (src/web/account/session.ts), never a token.
 */
export const OFFICE_CLIENT_ID = 'kapi-office';
export const OFFICE_PATH = '/office';

export function officeRedirectUri(issuer: string): string {
  return `${issuer}${OFFICE_PATH}/callback`;
}

export function officeSignedOutUri(issuer: string): string {
  return `${issuer}${OFFICE_PATH}/signed-out`;
}

/** Registers the console's client on first start and follows the issuer if it moves. */
export async function ensureOfficeClient(clients: ClientService, issuer: string): Promise<void> {
  await ensureFirstPartyClient(clients, { clientId: OFFICE_CLIENT_ID, name: 'Kapı şifre gişesi', base: `${issuer}${OFFICE_PATH}`, minAcr: 'high' });
}
