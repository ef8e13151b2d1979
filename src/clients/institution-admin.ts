import type { Knex } from 'knex';
import { KapiError } from '../errors.js';
import type { Actor, OperatorAuditTrail } from '../operators/audit-trail.js';
import type { TokenRevocations } from '../sessions/token-revocations.js';
import type { ClientInput, ClientService, StoredClient } from './client-service.js';

// The operators' rules for institutions (issue 23 points 2 and 4), one copy for the `kapi clients`
// command and the operator console: what a registration defaults to, when a secret may be rotated, that
// Kapı's own applications are never suspended or removed, that a suspension ends the institution's
// tokens, and that every change (and who approved which claims, `national_id` above all) is written to
// the operators' audit trail in the change's own transaction. ClientService keeps storage and
// oidc-provider's validation; this adds who may do what and the record of it.

/** Shown in place of a secret that was not created by the change at hand. */
export const SEALED = '[sealed]';

/** What a change gives back: the metadata, with the client secret only when this change created it. */
export interface Changed {
  metadata: Record<string, unknown>;
  /** The new secret, shown once (registration with a secret, rotation, a switch to client_secret_basic). */
  secret?: string | undefined;
}

/** Field names of ClientInput whose values go to the audit trail as they are (no secrets, no key material). */
const RECORDED_AS_IS = new Set([
  'name',
  'redirectUris',
  'postLogoutRedirectUris',
  'backchannelLogoutUri',
  'authMethod',
  'jwksUri',
  'scopes',
  'minAcr',
  'parRequired',
  'dpopRequired',
  'fapi',
  'institutionId',
  'clientCredentials',
  'subjectType',
  'idTokenAlg',
]);

function recorded(changes: Partial<ClientInput>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'jwks') out.jwks = value ? `${(value as { keys: unknown[] }).keys.length} key(s)` : null;
    else if (RECORDED_AS_IS.has(field)) out[field] = value ?? null;
  }
  return out;
}

function scopesOf(metadata: Record<string, unknown>): string[] {
  return String(metadata.scope ?? 'openid')
    .split(' ')
    .filter(Boolean);
}

export class InstitutionAdmin {
  constructor(
    readonly clients: ClientService,
    readonly trail: OperatorAuditTrail,
    private readonly revocations: TokenRevocations,
  ) {}

  async list(): Promise<StoredClient[]> {
    return this.clients.list();
  }

  async show(clientId: string): Promise<StoredClient> {
    const found = await this.clients.show(clientId);
    if (!found) throw new KapiError('not_found', `no client ${clientId}`);
    return found;
  }

  /** Registers an institution. Without keys to authenticate with, it gets a secret (shown once). */
  async register(actor: Actor, raw: Partial<ClientInput>): Promise<Changed> {
    const input: Partial<ClientInput> = { ...raw };
    input.authMethod ??= input.jwksUri || input.jwks ? 'private_key_jwt' : 'client_secret_basic';
    const metadata = await this.clients.add(input as ClientInput, async (trx, written) => {
      const clientId = String(written.client_id);
      await this.trail.record(actor, { action: 'institution.register', clientId, detail: recorded(input) }, trx);
      await this.#approvalRecord(actor, clientId, ['openid'], scopesOf(written), trx);
    });
    const secret = typeof metadata.client_secret === 'string' ? metadata.client_secret : undefined;
    return { metadata, secret };
  }

  /**
   * Changes the options given (and only those). `rotateSecret`: a new client secret, for an institution
   * that authenticates with one. Scopes changed here are claims approved (or withdrawn), recorded as such.
   */
  async update(actor: Actor, clientId: string, changes: Partial<ClientInput>, options: { rotateSecret?: boolean } = {}): Promise<Changed> {
    const before = await this.show(clientId);
    const auth = changes.authMethod ?? before.metadata.token_endpoint_auth_method;
    if (options.rotateSecret && auth !== 'client_secret_basic')
      throw new KapiError('invalid_request', `--rotate-secret: client ${clientId} does not authenticate with a secret (--auth ${String(auth)})`);
    const detail = recorded(changes);
    if (options.rotateSecret) detail.secret = 'rotated';
    const action = options.rotateSecret && !Object.keys(changes).length ? 'institution.rotate_secret' : 'institution.update';
    const metadata = await this.clients.update(clientId, changes, options.rotateSecret === true, async (trx, written) => {
      await this.trail.record(actor, { action, clientId, detail }, trx);
      await this.#approvalRecord(actor, clientId, scopesOf(before.metadata), scopesOf(written), trx);
    });
    // The secret is given back only when this change created it.
    const created = options.rotateSecret === true || before.metadata.client_secret === undefined;
    const secret = typeof metadata.client_secret === 'string' && created ? metadata.client_secret : undefined;
    return { metadata: typeof metadata.client_secret === 'string' && !secret ? { ...metadata, client_secret: SEALED } : metadata, secret };
  }

  async rotateSecret(actor: Actor, clientId: string): Promise<Changed> {
    return this.update(actor, clientId, {}, { rotateSecret: true });
  }

  /** The institution's public keys: a `jwks_uri`, or a key set kept in its record (one replaces the other). */
  async setKeys(actor: Actor, clientId: string, keys: { jwksUri: string } | { jwks: NonNullable<ClientInput['jwks']> }): Promise<Changed> {
    const changes: Partial<ClientInput> = 'jwksUri' in keys ? { jwksUri: keys.jwksUri, jwks: undefined } : { jwks: keys.jwks, jwksUri: undefined };
    return this.update(actor, clientId, changes);
  }

  /** Which claims (by their scopes) the institution may receive; `openid` always. */
  async approveClaims(actor: Actor, clientId: string, scopes: string[]): Promise<Changed> {
    return this.update(actor, clientId, { scopes: [...new Set(['openid', ...scopes])] });
  }

  /**
   * Suspends an institution: no sign-in, no token, and every grant and refresh token it holds revoked
   * in the same transaction (so a resumption does not bring old tokens back; Kapı's own APIs refuse
   * what it was issued before). JWT access tokens held by other APIs end with their lifetime (600 s).
   */
  async suspend(actor: Actor, clientId: string, reason = ''): Promise<boolean> {
    const client = await this.show(clientId);
    if (client.metadata.first_party === true)
      throw new KapiError('invalid_request', `client ${clientId} is one of Kapı's own applications and cannot be suspended`);
    return this.clients.setSuspended(clientId, true, async (trx) => {
      // revokeClient runs its statements on the transaction it is given.
      const grants = await this.revocations.revokeClient(clientId, 'suspended', trx as Knex.Transaction);
      await this.trail.record(actor, { action: 'institution.suspend', clientId, detail: { reason: reason.slice(0, 500), grants_revoked: grants } }, trx);
    });
  }

  async resume(actor: Actor, clientId: string): Promise<boolean> {
    await this.show(clientId);
    return this.clients.setSuspended(clientId, false, (trx) => this.trail.record(actor, { action: 'institution.resume', clientId }, trx));
  }

  async remove(actor: Actor, clientId: string): Promise<void> {
    const client = await this.show(clientId);
    if (client.metadata.first_party === true)
      throw new KapiError('invalid_request', `client ${clientId} is one of Kapı's own applications and cannot be removed`);
    await this.clients.remove(clientId, (trx) => this.trail.record(actor, { action: 'institution.remove', clientId }, trx));
    if (await this.clients.show(clientId)) throw new KapiError('internal', `client ${clientId} was not removed`);
  }

  async revokeTokens(actor: Actor, clientId: string): Promise<number> {
    await this.show(clientId);
    return this.clients.db.transaction(async (trx) => {
      const grants = await this.revocations.revokeClient(clientId, 'operator', trx);
      await this.trail.record(actor, { action: 'institution.revoke_tokens', clientId, detail: { grants_revoked: grants } }, trx);
      return grants;
    });
  }

  /** Claims approved or withdrawn by a change of scopes: who, for whom, when (the console shows it beside each claim). */
  async #approvalRecord(actor: Actor, clientId: string, before: string[], after: string[], trx: Knex): Promise<void> {
    const added = after.filter((s) => !before.includes(s));
    const removed = before.filter((s) => !after.includes(s));
    if (!added.length && !removed.length) return;
    await this.trail.record(actor, { action: 'claims.approve', clientId, detail: { added, removed, scopes: after } }, trx);
  }
}
