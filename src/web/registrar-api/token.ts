import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import type { KeyStore } from '../../../keys/key-store.js';
import type { RegistrarRepository } from '../../registrar/repository.js';
import type { TokenFacts } from '../../sessions/token-revocations.js';

// Who is calling the registrar API. The caller presents an access token Kapı issued to the registrar
// console for this API (RFC 8707 resource indicator, RFC 9068 JWT access token). It must be:
//   - signed by one of Kapı's published keys, for this issuer and this API's audience, not expired;
//   - issued to a client registered as a registrar console (not to any institution that happened to
//     ask for this audience);
//   - from a sign-in at acr `high` (e-signature, mobile signature, ID card); anything lower answers
//     RFC 9470's insufficient_user_authentication, so the console can step up;
//   - carrying the `registrar` scope, for an account (`sub`, the console client has public subject
//     identifiers) holding the registrar role, which names the one office it acts for;
//   - issued after the last revocation of that account's or that client's tokens (a password change,
//     "sign out everywhere", a leaked console credential): a JWT is not recalled by deleting its grant,
//     so the "revoked before" time stops it at once instead of at its expiry.

export const REGISTRAR_SCOPE = 'registrar';
export const REGISTRAR_API_PATH = '/registrar/v1';

export function registrarAudience(issuer: string): string {
  return `${issuer}${REGISTRAR_API_PATH}`;
}

export type TokenProblem = 'missing' | 'invalid' | 'acr' | 'client' | 'scope' | 'not_registrar';

export class TokenRefusal extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problem);
    this.name = 'TokenRefusal';
  }
}

export interface Registrar {
  accountId: string;
  officeCode: string;
  clientId: string;
}

/** Kapı's own published verification keys, refreshed when the key set changes (rotation). */
class LocalKeys {
  #set: ReturnType<typeof createLocalJWKSet> | undefined;
  #version = '';
  #checkedAt = 0;

  constructor(private readonly keys: KeyStore) {}

  async get(force = false): Promise<ReturnType<typeof createLocalJWKSet>> {
    if (!force && this.#set && Date.now() - this.#checkedAt < 30_000) return this.#set;
    const version = await this.keys.version();
    this.#checkedAt = Date.now();
    if (!this.#set || version !== this.#version) {
      const published = (await this.keys.list()).filter((k) => k.state === 'active' || k.state === 'next' || k.state === 'retiring');
      this.#set = createLocalJWKSet({ keys: published.map((k) => k.publicJwk) } as JSONWebKeySet);
      this.#version = version;
    }
    return this.#set;
  }
}

export class RegistrarTokenVerifier {
  readonly #keys: LocalKeys;

  constructor(
    private readonly issuer: string,
    keys: KeyStore,
    private readonly repository: RegistrarRepository,
    /** The running provider, for opaque tokens (the resource server registered with format opaque). */
    private readonly provider?: () => Provider,
    /** KAPI_CLOCK_TOLERANCE_SECONDS: the one allowance for clocks that are off, on `exp` and `nbf`. */
    private readonly clockToleranceSeconds = 0,
    /** The per-account and per-client "revoked before" times (src/sessions/token-revocations.ts). */
    private readonly revocations?: { refuses(token: TokenFacts): Promise<boolean> },
  ) {
    this.#keys = new LocalKeys(keys);
  }

  async verify(authorization: string | undefined): Promise<Registrar> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
    if (!match) throw new TokenRefusal('missing');
    const token = match[1]!;
    const payload = token.split('.').length === 3 ? await this.#verifySignature(token) : await this.#introspect(token);
    // A sender-constrained token (DPoP, mTLS: `cnf`) is only good with its proof, which this API does
    // not check yet: refuse it rather than accept it as a plain bearer token (RFC 9449 §7).
    if (payload.cnf !== undefined) throw new TokenRefusal('invalid');

    const clientId = typeof payload.client_id === 'string' ? payload.client_id : '';
    if (!clientId || !(await this.repository.isConsoleClient(clientId))) throw new TokenRefusal('client');
    if (payload.acr !== 'high') throw new TokenRefusal('acr');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(REGISTRAR_SCOPE)) throw new TokenRefusal('scope');
    const role = typeof payload.sub === 'string' ? await this.repository.findRole(payload.sub) : undefined;
    if (!role) throw new TokenRefusal('not_registrar');
    if (this.revocations && (typeof payload.iat !== 'number' || (await this.revocations.refuses({ accountId: role.accountId, clientId, iat: payload.iat }))))
      throw new TokenRefusal('invalid');
    return { accountId: role.accountId, officeCode: role.officeCode, clientId };
  }

  /** Opaque tokens: looked up in the provider's own store (in-process introspection). */
  async #introspect(token: string): Promise<JWTPayload> {
    const found = this.provider
      ? await this.provider()
          .AccessToken.find(token)
          .catch(() => undefined)
      : undefined;
    if (!found || found.isExpired) throw new TokenRefusal('invalid');
    const audiences = Array.isArray(found.aud) ? found.aud : found.aud ? [found.aud] : [];
    if (!audiences.includes(registrarAudience(this.issuer))) throw new TokenRefusal('invalid');
    const extra = (found.extra ?? {}) as { acr?: unknown };
    const bound = (found as unknown as { jkt?: string; 'x5t#S256'?: string }).jkt ?? (found as unknown as { 'x5t#S256'?: string })['x5t#S256'];
    return { sub: found.accountId, client_id: found.clientId, scope: found.scope, acr: extra.acr, iat: found.iat, ...(bound ? { cnf: { bound } } : {}) };
  }

  async #verifySignature(token: string): Promise<JWTPayload> {
    const options = {
      issuer: this.issuer,
      audience: registrarAudience(this.issuer),
      typ: 'at+jwt',
      algorithms: ['ES256', 'PS256', 'RS256'],
      requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
      clockTolerance: this.clockToleranceSeconds,
    };
    try {
      return (await jwtVerify(token, await this.#keys.get(), options)).payload;
    } catch (err) {
      // A key published since the last refresh: look once more before refusing.
      if (err instanceof joseErrors.JWKSNoMatchingKey) {
        try {
          return (await jwtVerify(token, await this.#keys.get(true), options)).payload;
        } catch {
          throw new TokenRefusal('invalid');
        }
      }
      throw new TokenRefusal('invalid');
    }
  }
}
