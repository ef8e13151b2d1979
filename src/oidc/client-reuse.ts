import type Provider from 'oidc-provider';
import type { OidcPayload } from '../../adapters/storage/port.js';

/** The part of the client cache (adapters/storage/client-cache.ts) this needs: a look at the kept copy. */
export interface KeptClients {
  get(clientId: string): { payload: OidcPayload | undefined } | undefined;
}

type ClientClass = { find(id: unknown): Promise<unknown> };

/**
 * oidc-provider's Client.find, for a client that is not static, reads the metadata from the adapter and
 * then looks its built Client up by sha256(JSON.stringify(metadata)): every token request serialised and
 * hashed the institution's whole metadata, 3–4% of a client_credentials grant's CPU (issue 27's profile).
 * Kapı's client cache hands out one frozen copy of the metadata per institution until it is invalidated
 * or expires, so that copy's identity already says "same metadata": the Client built from it is kept
 * beside it (a WeakMap, so it goes with the copy) and handed out again without the hash.
 *
 * Nothing is trusted longer than before: a change announced by any process drops the cached copy, the
 * next find reads a new copy, and a new copy is never matched with a Client built from an old one. A
 * find whose copy changed while oidc-provider built the Client is not remembered. Everything else
 * (unknown, suspended, not cached) goes through oidc-provider's own find as before.
 */
export function reuseBuiltClients(provider: Provider, kept: KeptClients): void {
  const Client = provider.Client as unknown as ClientClass;
  const find = Client.find.bind(Client);
  const built = new WeakMap<OidcPayload, unknown>();
  Client.find = async (id: unknown) => {
    const copy = typeof id === 'string' ? kept.get(id)?.payload : undefined;
    if (copy === undefined || !Object.isFrozen(copy)) return find(id);
    const known = built.get(copy);
    if (known) return known;
    const client = await find(id);
    if (client && kept.get(id as string)?.payload === copy) built.set(copy, client);
    return client;
  };
}
