import type { Acr } from '../assurance/levels.js';
import { unlessItExists } from '../errors.js';
import type { ClientService } from './client-service.js';

/**
 * Kapı's own applications (the account pages, the registrar console, the operator console) sign people in
 * like any institution, as first-party clients: public, PKCE, no consent screen, subject `public`. Each
 * lives under one path of one origin, with its callback and signed-out page there. Registered on first
 * start; when the origin moves (another issuer, another admin port) the addresses follow.
 */
export async function ensureFirstPartyClient(clients: ClientService, app: { clientId: string; name: string; base: string; minAcr?: Acr }): Promise<void> {
  const redirectUris = [`${app.base}/callback`];
  const postLogoutRedirectUris = [`${app.base}/signed-out`];
  const existing = await clients.show(app.clientId);
  if (!existing) {
    // Several processes may start at once: the client another start registered first counts as made.
    await unlessItExists(() =>
      clients.add(
        {
          clientId: app.clientId,
          name: app.name,
          redirectUris,
          postLogoutRedirectUris,
          authMethod: 'none',
          scopes: ['openid'],
          ...(app.minAcr ? { minAcr: app.minAcr } : {}),
          subjectType: 'public',
          institutionId: 'kapi',
          firstParty: true,
        },
        undefined,
        { ownApplication: true },
      ),
    );
    return;
  }
  const current = existing.metadata.redirect_uris as string[] | undefined;
  if (current?.[0] !== redirectUris[0]) await clients.update(app.clientId, { redirectUris, postLogoutRedirectUris });
}
