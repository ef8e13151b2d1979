import type { ClientService } from '../../clients/client-service.js';
import { ensureFirstPartyClient } from '../../clients/first-party-client.js';

/**
 * The operator console is a built-in client on the admin listener (DESIGN.md third round, "Consoles"):
 * public, PKCE, `min_acr` high, no consent screen. Its redirect URI is on the loopback address of the
 * admin port (http://127.0.0.1:<port>/console/callback), which the production https rule accepts as a
 * loopback redirect (src/oidc/client-metadata.ts, RFC 8252 §7.3): operators reach it over an SSH tunnel
 * to the same port, never from the network.
 */
export const CONSOLE_CLIENT_ID = 'kapi-console';
export const CONSOLE_PATH = '/console';

/** The console's own origin: loopback, the admin listener's port. */
export function consoleOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export function consoleRedirectUri(origin: string): string {
  return `${origin}${CONSOLE_PATH}/callback`;
}

export function consoleSignedOutUri(origin: string): string {
  return `${origin}${CONSOLE_PATH}/signed-out`;
}

/** Registers the console's client once the admin port is known, and follows the port if it moves. */
export async function ensureConsoleClient(clients: ClientService, origin: string): Promise<void> {
  await ensureFirstPartyClient(clients, { clientId: CONSOLE_CLIENT_ID, name: 'Kapı işletim konsolu', base: `${origin}${CONSOLE_PATH}`, minAcr: 'high' });
}
