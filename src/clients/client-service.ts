import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { ACR_LEVELS } from '../assurance/levels.js';
import { AlreadyExists, ClientIdRetired, KapiError } from '../errors.js';
import { SUPPORTED_SCOPES } from '../oidc/claims.js';
import type { Sealer } from '../security/crypto.js';

// Institutions (OIDC clients) live in Postgres. This service is shared by the `kapi clients` command, the
// operator console (both through src/clients/institution-admin.ts, which adds the operators' rules and
// audit trail) and the demo seed; the stored client_secret is sealed with the master key. `audit`: a write
// made in the change's own transaction (the operators' audit trail).

/** ID-token algorithms an institution may be registered for; without one it gets RS256 (src/oidc/configuration.ts). */
export const ID_TOKEN_ALGS = ['RS256', 'ES256', 'PS256'] as const;
/** FAPI 2.0 Security Profile ("Cryptography and secrets"): PS256, ES256 or EdDSA, never RS256. */
const FAPI_ID_TOKEN_ALGS: ReadonlySet<string> = new Set(['PS256', 'ES256']);

export const clientInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  redirectUris: z.array(z.url()).default([]),
  postLogoutRedirectUris: z.array(z.url()).default([]),
  backchannelLogoutUri: z.url().optional(),
  authMethod: z.enum(['private_key_jwt', 'client_secret_basic', 'none']).default('private_key_jwt'),
  jwksUri: z.url().optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  // OpenID scopes this institution may ask for. Scopes of resource servers (APIs) are not listed here:
  // oidc-provider checks this list for its own scopes only, and each API declares its scopes itself.
  scopes: z.array(z.enum(SUPPORTED_SCOPES as [string, ...string[]])).default(['openid']),
  minAcr: z.enum(ACR_LEVELS).optional(),
  parRequired: z.boolean().default(false),
  dpopRequired: z.boolean().default(false),
  fapi: z.boolean().default(false),
  institutionId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional(),
  clientCredentials: z.boolean().default(false),
  subjectType: z.enum(['pairwise', 'public']).default('pairwise'),
  idTokenAlg: z.enum(ID_TOKEN_ALGS).optional(),
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{3,128}$/)
    .optional(),
  clientSecret: z.string().min(32).optional(),
  // Kapı's own applications (account pages, registrar console): no consent screen.
  firstParty: z.boolean().default(false),
});
export type ClientInput = z.input<typeof clientInputSchema>;

export interface StoredClient {
  clientId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** Set while the institution is suspended: oidc-provider does not know it then (no sign-in, no token). */
  suspendedAt: Date | null;
}

/** Written in the same transaction as the change it records; given the metadata written (secret in clear: never record it). */
export type ChangeRecord = (trx: Knex, metadata: Record<string, unknown>) => Promise<void>;

/** Checks a metadata document the way oidc-provider will when it loads it (throws on invalid). */
export type MetadataValidator = (metadata: Record<string, unknown>) => Promise<void>;

export function toMetadata(input: z.output<typeof clientInputSchema>, clientId: string, clientSecret: string | undefined): Record<string, unknown> {
  if (input.fapi && input.idTokenAlg && !FAPI_ID_TOKEN_ALGS.has(input.idTokenAlg))
    throw new KapiError('invalid_request', `a FAPI institution signs ID tokens with PS256 or ES256, not ${input.idTokenAlg}`);
  const grantTypes = input.redirectUris.length ? ['authorization_code'] : [];
  if (input.redirectUris.length && input.scopes.includes('offline_access')) grantTypes.push('refresh_token');
  if (input.clientCredentials) grantTypes.push('client_credentials');
  const scope = [...new Set(['openid', ...input.scopes])].join(' ');
  const metadata: Record<string, unknown> = {
    client_id: clientId,
    client_name: input.name,
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris,
    response_types: input.redirectUris.length ? ['code'] : [],
    grant_types: grantTypes,
    token_endpoint_auth_method: input.authMethod,
    scope,
    subject_type: input.subjectType,
    institution_id: input.institutionId ?? clientId,
    require_pushed_authorization_requests: input.parRequired || input.fapi,
    dpop_bound_access_tokens: input.dpopRequired || input.fapi,
    fapi: input.fapi,
  };
  if (input.firstParty) metadata.first_party = true;
  if (input.minAcr) metadata.min_acr = input.minAcr;
  if (input.idTokenAlg) metadata.id_token_signed_response_alg = input.idTokenAlg;
  else if (input.fapi) metadata.id_token_signed_response_alg = 'PS256';
  if (input.backchannelLogoutUri) Object.assign(metadata, { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true });
  if (input.jwksUri) metadata.jwks_uri = input.jwksUri;
  if (input.jwks) metadata.jwks = input.jwks;
  if (clientSecret) metadata.client_secret = clientSecret;
  return metadata;
}

export class ClientService {
  constructor(
    readonly db: Knex,
    private readonly sealer: Sealer,
    private readonly validate: MetadataValidator,
    /** Told after every change, so servers drop their cached copy (adapters/storage/client-cache.ts). */
    private readonly changed: (clientId: string) => Promise<void> = async () => undefined,
  ) {}

  private seal(metadata: Record<string, unknown>): Record<string, unknown> {
    if (typeof metadata.client_secret !== 'string') return metadata;
    return { ...metadata, client_secret: this.sealer.seal(metadata.client_secret, `client_secret:${String(metadata.client_id)}`) };
  }

  /**
   * Registers an institution; returns its metadata with the client secret (shown once). A removed
   * institution's client id is refused (ClientIdRetired), except for Kapı's own applications
   * (`ownApplication`: the same owner, re-registered at start if an operator removed one).
   */
  async add(raw: ClientInput, audit?: ChangeRecord, options: { ownApplication?: boolean } = {}): Promise<Record<string, unknown>> {
    const input = clientInputSchema.parse(raw);
    if (input.authMethod === 'private_key_jwt' && !input.jwksUri && !input.jwks)
      throw new KapiError('invalid_request', 'private_key_jwt needs --jwks-uri (or jwks)');
    const clientId = input.clientId ?? `kapi-${randomBytes(9).toString('base64url')}`;
    const secret = input.authMethod === 'client_secret_basic' ? (input.clientSecret ?? randomBytes(32).toString('base64url')) : undefined;
    const metadata = toMetadata(input, clientId, secret);
    await this.validate(metadata);
    await this.db.transaction(async (trx) => {
      await lockClientId(trx, clientId);
      if (!options.ownApplication && (await trx('retired_client_ids').where({ client_id: clientId }).first())) throw new ClientIdRetired(clientId);
      // The id is the key: of two adds of one id at once, the second inserts nothing and is refused
      // (never a unique-key error), and its audit record is not written.
      const inserted = await trx('clients')
        .insert({ client_id: clientId, metadata: JSON.stringify(this.seal(metadata)) })
        .onConflict('client_id')
        .ignore()
        .returning('client_id');
      if (!inserted.length) throw new AlreadyExists(`client ${clientId} already exists`);
      await audit?.(trx, metadata);
    });
    await this.changed(clientId);
    return metadata;
  }

  async list(): Promise<StoredClient[]> {
    const rows = await this.db('clients').orderBy('created_at');
    return rows.map((r) => this.toStored(r));
  }

  async show(clientId: string): Promise<StoredClient | undefined> {
    const row = await this.db('clients').where({ client_id: clientId }).first();
    return row ? this.toStored(row) : undefined;
  }

  /** Metadata as stored, secret unsealed (for the demo institution, which is part of this process). */
  async metadataWithSecret(clientId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db('clients').where({ client_id: clientId }).first();
    if (!row) return undefined;
    const metadata = { ...(row.metadata as Record<string, unknown>) };
    if (typeof metadata.client_secret === 'string') metadata.client_secret = this.sealer.open(metadata.client_secret, `client_secret:${clientId}`);
    return metadata;
  }

  async update(clientId: string, changes: Partial<ClientInput>, rotateSecret = false, audit?: ChangeRecord): Promise<Record<string, unknown>> {
    const current = await this.metadataWithSecret(clientId);
    if (!current) throw new KapiError('not_found', `no client ${clientId}`);
    const merged = clientInputSchema.parse({ ...fromMetadata(current), ...changes, clientId });
    let secret = typeof current.client_secret === 'string' ? current.client_secret : undefined;
    if (merged.authMethod !== 'client_secret_basic') secret = undefined;
    else if (rotateSecret || !secret) secret = randomBytes(32).toString('base64url');
    if (merged.authMethod === 'private_key_jwt' && !merged.jwksUri && !merged.jwks)
      throw new KapiError('invalid_request', 'private_key_jwt needs --jwks-uri (or jwks)');
    const metadata = toMetadata(merged, clientId, secret);
    await this.validate(metadata);
    await this.db.transaction(async (trx) => {
      await trx('clients')
        .where({ client_id: clientId })
        .update({ metadata: JSON.stringify(this.seal(metadata)), updated_at: trx.fn.now() });
      await audit?.(trx, metadata);
    });
    await this.changed(clientId);
    return metadata;
  }

  async remove(clientId: string, audit?: ChangeRecord): Promise<boolean> {
    const removed = await this.db.transaction(async (trx) => {
      await lockClientId(trx, clientId);
      const gone = (await trx('clients').where({ client_id: clientId }).del()) > 0;
      if (gone) {
        // The id is retired with the removal, in its transaction: no add can slip in between.
        await trx('retired_client_ids').insert({ client_id: clientId }).onConflict('client_id').ignore();
        await audit?.(trx, { client_id: clientId });
      }
      return gone;
    });
    if (removed) await this.changed(clientId);
    return removed;
  }

  /**
   * Suspends (or resumes) an institution: while `suspended_at` is set, oidc-provider's client lookup
   * finds nothing (adapters/storage/oidc-client-postgres.ts), so every sign-in, token request and
   * userinfo call of it is refused. `also`: more of the change in the same transaction (the revocation
   * of its tokens, the audit row). False when there is no such institution or nothing changed.
   */
  async setSuspended(clientId: string, suspended: boolean, also?: ChangeRecord): Promise<boolean> {
    const changed = await this.db.transaction(async (trx) => {
      const row = (await trx('clients').where({ client_id: clientId }).forUpdate().first('suspended_at')) as { suspended_at: Date | null } | undefined;
      if (!row || Boolean(row.suspended_at) === suspended) return false;
      await trx('clients')
        .where({ client_id: clientId })
        .update({ suspended_at: suspended ? trx.fn.now() : null, updated_at: trx.fn.now() });
      await also?.(trx, { client_id: clientId });
      return true;
    });
    if (changed) await this.changed(clientId);
    return changed;
  }

  /** Whether the institution exists and is suspended (the sign-in page that says so). */
  async isSuspended(clientId: string): Promise<boolean> {
    if (clientId.includes('\u0000')) return false;
    const row = (await this.db('clients').where({ client_id: clientId }).first('suspended_at')) as { suspended_at: Date | null } | undefined;
    return Boolean(row?.suspended_at);
  }

  private toStored(row: {
    client_id: string;
    metadata: Record<string, unknown>;
    created_at: Date;
    updated_at: Date;
    suspended_at?: Date | null;
  }): StoredClient {
    const { client_secret: secret, ...metadata } = row.metadata;
    return {
      clientId: row.client_id,
      metadata: secret ? { ...metadata, client_secret: '[sealed]' } : metadata,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      suspendedAt: row.suspended_at ? new Date(row.suspended_at) : null,
    };
  }
}

/** The inverse of toMetadata, for updates. */
export function fromMetadata(m: Record<string, unknown>): ClientInput {
  const scopes = String(m.scope ?? 'openid')
    .split(' ')
    .filter(Boolean);
  return {
    name: String(m.client_name ?? m.client_id),
    redirectUris: (m.redirect_uris as string[]) ?? [],
    postLogoutRedirectUris: (m.post_logout_redirect_uris as string[]) ?? [],
    backchannelLogoutUri: m.backchannel_logout_uri as string | undefined,
    authMethod: m.token_endpoint_auth_method as ClientInput['authMethod'],
    jwksUri: m.jwks_uri as string | undefined,
    jwks: m.jwks as ClientInput['jwks'],
    scopes,
    minAcr: m.min_acr as ClientInput['minAcr'],
    parRequired: m.require_pushed_authorization_requests === true && m.fapi !== true,
    dpopRequired: m.dpop_bound_access_tokens === true && m.fapi !== true,
    fapi: m.fapi === true,
    institutionId: m.institution_id as string | undefined,
    clientCredentials: ((m.grant_types as string[]) ?? []).includes('client_credentials'),
    subjectType: (m.subject_type as 'pairwise' | 'public') ?? 'pairwise',
    idTokenAlg: m.id_token_signed_response_alg as ClientInput['idTokenAlg'],
    firstParty: m.first_party === true,
  };
}

/**
 * Adds and removals of one client id take turns (a transaction-scoped advisory lock): otherwise an add
 * that checked the retired ids before a removal committed could insert after it, under the retired id.
 */
async function lockClientId(trx: Knex.Transaction, clientId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`kapi:client:${clientId}`]);
}
