import type { Sealer } from '../../src/security/crypto.js';
import { KapiError } from '../../src/errors.js';
import type { Database, OidcAdapter, OidcPayload } from './port.js';
import type { ClientCache } from './client-cache.js';

// oidc-provider's Client model over the clients table (the institutions), not oidc_models. The
// client secret is kept sealed with the master key, bound to its client id (a sealed secret copied
// to another client's row does not open); find hands oidc-provider the plain secret it compares.

export function clientSecretContext(clientId: string): string {
  return `client_secret:${clientId}`;
}

export class PostgresClientAdapter implements OidcAdapter {
  readonly #db: Database;
  readonly #sealer: Sealer;

  readonly #cache: ClientCache | undefined;

  constructor(db: Database, sealer: Sealer, cache?: ClientCache) {
    this.#db = db;
    this.#sealer = sealer;
    this.#cache = cache;
  }

  async find(clientId: string): Promise<OidcPayload | undefined> {
    // A client_id from the query string may hold a NUL byte, which Postgres text cannot carry (the query
    // would fail with a 500): no registered client has one, so it is simply unknown.
    if (clientId.includes('\u0000')) return undefined;
    if (!this.#cache) return this.#read(clientId);
    const hit = this.#cache.get(clientId);
    if (hit) return hit.payload;
    const generation = this.#cache.generation();
    const payload = await this.#read(clientId);
    this.#cache.set(clientId, payload, generation);
    return payload;
  }

  async #read(clientId: string): Promise<OidcPayload | undefined> {
    const row = (await this.#db('clients').select('metadata', 'suspended_at').where({ client_id: clientId }).first()) as
      | { metadata: OidcPayload; suspended_at: Date | null }
      | undefined;
    // A suspended institution (the operator console, `kapi clients suspend`) is unknown to oidc-provider:
    // no sign-in, no token request, no userinfo answer for its tokens, until it is resumed.
    if (!row || row.suspended_at) return undefined;
    const metadata: OidcPayload = { ...row.metadata, client_id: clientId };
    if (typeof metadata.client_secret === 'string') {
      try {
        metadata.client_secret = this.#sealer.open(metadata.client_secret, clientSecretContext(clientId));
      } catch (err) {
        throw new KapiError('config_invalid', `the secret of client ${clientId} is not sealed with this master key`, {}, { cause: err });
      }
    }
    return metadata;
  }

  async upsert(clientId: string, payload: OidcPayload): Promise<void> {
    const metadata: OidcPayload = { ...payload, client_id: clientId };
    if (typeof metadata.client_secret === 'string') {
      metadata.client_secret = this.#sealer.seal(metadata.client_secret, clientSecretContext(clientId));
    }
    await this.#db('clients')
      .insert({ client_id: clientId, metadata: JSON.stringify(metadata) })
      .onConflict('client_id')
      .merge({ metadata: JSON.stringify(metadata), updated_at: this.#db.fn.now() });
    this.#cache?.invalidate(clientId);
  }

  async destroy(clientId: string): Promise<void> {
    await this.#db('clients').where({ client_id: clientId }).delete();
    this.#cache?.invalidate(clientId);
  }

  // Clients have no uid, user code or grant, and are never consumed.
  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(): Promise<void> {
    throw new KapiError('internal', 'Client records cannot be consumed');
  }

  async revokeByGrantId(): Promise<void> {}
}
