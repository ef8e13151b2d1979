import type { Knex } from 'knex';
import { z } from 'zod';
import { AlreadyExists, KapiError } from '../errors.js';

// APIs registered to receive access tokens (RFC 8707 resource indicators). An institution that names
// one with `resource=` gets an access token for it: a JWT (RFC 9068) carrying acr, amr and auth_time,
// or an opaque token the API introspects, authenticated as the client its registration names.
// Looked up on every token and introspection request, so cached briefly.

export const resourceServerSchema = z.object({
  identifier: z.url().refine((u) => !u.includes('#'), 'a resource indicator has no fragment'),
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scope tokens are printable ASCII without spaces, quotes or backslashes')).min(1),
  tokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
  accessTokenTtl: z.number().int().min(60).max(3600).default(600),
  /** The client the API introspects with: it may introspect tokens whose `aud` is this API, no others. */
  clientId: z.string().min(1).max(255).optional(),
});
export type ResourceServerInput = z.input<typeof resourceServerSchema>;
export type ResourceServer = z.output<typeof resourceServerSchema>;

const CACHE_MS = 30_000;

export class ResourceServerRegistry {
  readonly #cache = new Map<string, { value: ResourceServer | undefined; until: number }>();

  constructor(private readonly db: Knex) {}

  async add(raw: ResourceServerInput): Promise<ResourceServer> {
    const rs = resourceServerSchema.parse(raw);
    if (rs.clientId && !(await this.db('clients').where({ client_id: rs.clientId }).first()))
      throw new KapiError('invalid_request', `no client ${rs.clientId}: register the API's client first (kapi clients add)`);
    // The identifier is the key: of two adds at once, the second inserts nothing and is refused.
    const inserted = await this.db('resource_servers')
      .insert({
        identifier: rs.identifier,
        name: rs.name,
        scopes: rs.scopes,
        token_format: rs.tokenFormat,
        access_token_ttl: rs.accessTokenTtl,
        client_id: rs.clientId ?? null,
      })
      .onConflict('identifier')
      .ignore()
      .returning('identifier');
    if (!inserted.length) throw new AlreadyExists(`resource server ${rs.identifier} already exists`);
    this.#cache.delete(rs.identifier);
    return rs;
  }

  async remove(identifier: string): Promise<boolean> {
    this.#cache.delete(identifier);
    return (await this.db('resource_servers').where({ identifier }).del()) > 0;
  }

  async list(): Promise<ResourceServer[]> {
    const rows = await this.db('resource_servers').orderBy('identifier');
    return rows.map(toResourceServer);
  }

  async find(identifier: string): Promise<ResourceServer | undefined> {
    const hit = this.#cache.get(identifier);
    if (hit && hit.until > Date.now()) return hit.value;
    const row = await this.db('resource_servers').where({ identifier }).first();
    const value = row ? toResourceServer(row) : undefined;
    this.#cache.set(identifier, { value, until: Date.now() + CACHE_MS });
    return value;
  }
}

function toResourceServer(row: {
  identifier: string;
  name: string;
  scopes: string[];
  token_format: 'jwt' | 'opaque';
  access_token_ttl: number;
  client_id: string | null;
}): ResourceServer {
  return {
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes,
    tokenFormat: row.token_format,
    accessTokenTtl: row.access_token_ttl,
    ...(row.client_id ? { clientId: row.client_id } : {}),
  };
}
