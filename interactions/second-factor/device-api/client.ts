import type { ClientRegistrations } from '../../../src/engine/ports.js';

/**
 * The mobile app's client (DESIGN.md "Public clients"): public (auth method none), PKCE, DPoP-bound
 * access tokens, rotating refresh tokens. Its access token authenticates the registration of a device;
 * after that the device signs its own requests with its key.
 */
export const DEVICE_APP_CLIENT_ID = 'kapi-device-app';

export function deviceAppRedirectUri(issuer: string): string {
  return `${issuer}/device/app-callback`;
}

export async function ensureDeviceAppClient(clients: ClientRegistrations, issuer: string): Promise<void> {
  const redirectUris = [deviceAppRedirectUri(issuer)];
  const existing = await clients.show(DEVICE_APP_CLIENT_ID);
  if (!existing) {
    await clients.add({
      clientId: DEVICE_APP_CLIENT_ID,
      name: 'e-Devlet Kapı',
      redirectUris,
      authMethod: 'none',
      scopes: ['openid', 'offline_access'],
      dpopRequired: true,
      subjectType: 'public',
      institutionId: 'kapi',
      firstParty: true,
    });
    return;
  }
  const current = existing.metadata.redirect_uris as string[] | undefined;
  if (current?.[0] !== redirectUris[0]) await clients.update(DEVICE_APP_CLIENT_ID, { redirectUris });
}
