import type { ResourceServerRegistry } from './resource-servers.js';

interface Asking {
  clientId: string;
}
interface Token {
  clientId?: string | undefined;
  accountId?: string | undefined;
  iat?: number | undefined;
  aud?: string | string[] | undefined;
}

/** The "revoked before" check of src/sessions/token-revocations.ts. */
export interface RevocationCheck {
  refuses(token: { accountId?: string | undefined; clientId?: string | undefined; iat: number }): Promise<boolean>;
}

/**
 * Who learns about a token at the introspection endpoint (RFC 7662 §4 leaves it to the server; DESIGN.md
 * third round, "Introspection"): the institution it was issued to, or the client a resource server is
 * registered with when that resource is in the token's `aud`. Anyone else gets `active: false`, the
 * answer for an unknown token, so another institution's tokens cannot even be told to exist.
 */
export function introspectionAllowedPolicy(resourceServers: ResourceServerRegistry, revocations?: RevocationCheck) {
  return async (ctx: unknown, client: Asking, token: Token): Promise<boolean> => {
    // A token its account or client was recalled after is active for no one. Grants' tokens went with
    // their grants; this catches the tokens without a grant (client_credentials), which live on in the
    // short-lived store until they expire, and would be honoured again once a suspended client resumes.
    if (revocations && typeof token.iat === 'number' && (await revocations.refuses({ accountId: token.accountId, clientId: token.clientId, iat: token.iat })))
      return false;
    if (token.clientId !== undefined && token.clientId === client.clientId) return true;
    // A token of an institution that is no longer known (suspended, removed) is active for no one.
    const provider = (ctx as { oidc?: { provider?: { Client: { find(id: string): Promise<unknown> } } } } | undefined)?.oidc?.provider;
    if (token.clientId !== undefined && provider && !(await provider.Client.find(token.clientId))) return false;
    const audiences = token.aud === undefined ? [] : Array.isArray(token.aud) ? token.aud : [token.aud];
    for (const audience of audiences) {
      const resourceServer = await resourceServers.find(audience);
      if (resourceServer?.clientId !== undefined && resourceServer.clientId === client.clientId) return true;
    }
    return false;
  };
}
