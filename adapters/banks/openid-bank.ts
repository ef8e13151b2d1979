import * as oidc from 'openid-client';
import type { Bank, BankAuthorization, BankFailure, BankOutcome } from './port.js';

// The real bank client: Kapı as an OpenID Connect relying party of one bank (openid-client 6).
// Authorization code flow with PKCE (S256), state and nonce; the client authenticates to the bank's
// token endpoint with private_key_jwt or a client secret; the ID token is validated against the bank's
// JWKS (signature, issuer, audience, nonce, expiry; the `iss` of the authorization response when the
// bank advertises it, RFC 9207).

export type BankClientAuth =
  | { method: 'client_secret_basic' | 'client_secret_post'; secret: string }
  | { method: 'private_key_jwt'; key: CryptoKey; kid?: string | undefined };

export interface OidcBankSettings {
  id: string;
  issuer: string;
  clientId: string;
  /** Kapı's callback, registered at the bank. */
  redirectUri: string;
  scopes: string[];
  auth: BankClientAuth;
  /** The JWS algorithm the bank signs ID tokens with (OIDC's default is RS256). */
  idTokenAlg: string;
  /** Every request to the bank (discovery, JWKS, token, userinfo) gives up after this long. */
  timeoutMs: number;
  /** Discovery is repeated after this long, so a bank can move its endpoints. */
  discoveryTtlMs?: number;
  /**
   * How far the bank's clock may be off on the ID token's `exp` and `nbf` (KAPI_CLOCK_TOLERANCE_SECONDS,
   * Kapı's one setting for every time check), instead of openid-client's own 30 s.
   */
  clockToleranceSeconds: number;
}

const DEFAULT_DISCOVERY_TTL_MS = 3600_000;
/** The bank's sign-in must have happened during this request (interactions live 10 minutes at most). */
const MAX_AUTH_AGE_SECONDS = 15 * 60;

/** The `kid` in the header of a compact JWS, or undefined. */
function kidOf(jwt: unknown): string | undefined {
  if (typeof jwt !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error codes a bank's authorization answer can carry (RFC 6749 §4.1.2.1, OpenID Connect Core
 * §3.1.2.6). Only these are the bank's own failure (502); any other value did not come from a
 * conforming bank (a hand-made callback URL, say) and is an invalid answer (400), not an upstream fault.
 */
const AUTHORIZATION_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

function failure(kind: BankFailure, detail: string): { ok: false; failure: BankFailure; detail: string } {
  return { ok: false, failure: kind, detail };
}

/** Sorts what openid-client threw into the pages the person sees. Details are for the log: no tokens. */
export function classifyBankError(err: unknown): { ok: false; failure: BankFailure; detail: string } {
  if (err instanceof oidc.ResponseBodyError) {
    // invalid_grant at the token endpoint: the code was already used, expired, or not issued to us.
    return failure(err.error === 'invalid_grant' ? 'invalid_answer' : 'bank_error', `token endpoint: ${err.error}`);
  }
  if (err instanceof oidc.AuthorizationResponseError) return failure(err.error === 'access_denied' ? 'cancelled' : 'bank_error', `authorization: ${err.error}`);
  const code = (err as { code?: unknown }).code;
  if (err instanceof oidc.ClientError) {
    // openid-client wraps what it does not recognise (a network error from another realm, say) without a code.
    const cause = (err as { cause?: unknown }).cause;
    if (code === undefined && cause !== undefined && cause !== err) return classifyBankError(cause);
    if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return failure('unreachable', 'timeout');
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON')
      return failure('bank_error', `unexpected response (${String(code)})`);
    return failure('invalid_answer', `${err.message} (${String(code)})`);
  }
  // By name, not instanceof: fetch's errors may come from another realm than this module's classes.
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'TypeError' && !(typeof code === 'string' && code.startsWith('ERR_INVALID_ARG'))) return failure('unreachable', `network: ${String(message)}`);
  if (name === 'TimeoutError' || name === 'AbortError') return failure('unreachable', 'timeout');
  return failure('bank_error', typeof message === 'string' ? message : 'unknown error');
}

export class OidcBank implements Bank {
  #server: { metadata: oidc.ServerMetadata; at: number } | undefined;
  /** The bank's JWKS as last fetched, shared by the per-login configurations. */
  #jwks: oidc.ExportedJWKSCache | undefined;
  readonly #insecure: boolean;

  constructor(readonly settings: OidcBankSettings) {
    this.#insecure = new URL(settings.issuer).protocol === 'http:';
  }

  get id(): string {
    return this.settings.id;
  }

  #clientAuth(): oidc.ClientAuth {
    const { auth } = this.settings;
    if (auth.method === 'private_key_jwt') return oidc.PrivateKeyJwt(auth.kid ? { key: auth.key, kid: auth.kid } : auth.key);
    return auth.method === 'client_secret_basic' ? oidc.ClientSecretBasic(auth.secret) : oidc.ClientSecretPost(auth.secret);
  }

  #metadata(): Partial<oidc.ClientMetadata> {
    return { id_token_signed_response_alg: this.settings.idTokenAlg, [oidc.clockTolerance]: this.settings.clockToleranceSeconds };
  }

  /**
   * A fresh openid-client configuration per login. The discovered metadata is reused (until its TTL);
   * the JWKS is seeded from the last fetch, except when the ID token names a key that fetch did not
   * have: then it is fetched again at once (see #fetch), so a bank that rotates its keys is followed
   * without waiting for a cache to age.
   */
  async #configuration(): Promise<oidc.Configuration> {
    const ttl = this.settings.discoveryTtlMs ?? DEFAULT_DISCOVERY_TTL_MS;
    if (!this.#server || Date.now() - this.#server.at > ttl) {
      try {
        const discovered = await oidc.discovery(new URL(this.settings.issuer), this.settings.clientId, this.#metadata(), this.#clientAuth(), {
          timeout: this.settings.timeoutMs / 1000,
          ...(this.#insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        });
        this.#server = { metadata: discovered.serverMetadata(), at: Date.now() };
      } catch (err) {
        // A failed refresh keeps the metadata we had; without any, the bank is unreachable.
        if (!this.#server) throw err;
      }
    }
    const config = new oidc.Configuration(this.#server.metadata, this.settings.clientId, this.#metadata(), this.#clientAuth());
    if (this.#insecure) oidc.allowInsecureRequests(config);
    config.timeout = this.settings.timeoutMs / 1000;
    // openid-client (like OIDC Core §3.1.3.7 allows) trusts TLS for the token endpoint's ID token and
    // does not check its signature unless asked. Kapı asks: the bank's signature over who it proved is
    // what a federation rests on, and it catches a compromised or misrouted back channel.
    oidc.enableNonRepudiationChecks(config);
    if (this.#jwks) oidc.setJwksCache(config, this.#jwks);
    config[oidc.customFetch] = async (url, options) => {
      const response = await fetch(url, options as RequestInit);
      const tokenEndpoint = this.#server?.metadata.token_endpoint;
      // The configuration's own copy (setJwksCache stores a clone; getJwksCache returns that clone).
      const cache = oidc.getJwksCache(config);
      if (cache && tokenEndpoint && new URL(url).href === new URL(tokenEndpoint).href && response.ok) {
        const kid = kidOf(
          (
            (await response
              .clone()
              .json()
              .catch(() => ({}))) as { id_token?: unknown }
          ).id_token,
        );
        const known = (cache.jwks as { keys?: { kid?: string }[] }).keys?.some((k) => k.kid === kid);
        // An ID token signed with a key our copy of the JWKS does not have: the copy is stale.
        if (kid && !known) cache.uat = 0;
      }
      return response;
    };
    return config;
  }

  async begin(): Promise<{ ok: true; authorization: BankAuthorization } | { ok: false; failure: 'unreachable' | 'bank_error'; detail: string }> {
    let config: oidc.Configuration;
    try {
      config = await this.#configuration();
    } catch (err) {
      const classified = classifyBankError(err);
      return { ok: false, failure: classified.failure === 'unreachable' ? 'unreachable' : 'bank_error', detail: `discovery: ${classified.detail}` };
    }
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    // Only protocol values: no login_hint, no claims, no name or number of the person (FAQ: "personal
    // information of the users are never shared with banks"). prompt=login makes the bank ask for the
    // password every time: a bank session left open on a shared computer must not sign anyone in here.
    const url = oidc.buildAuthorizationUrl(config, {
      response_type: 'code',
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      prompt: 'login',
    });
    return { ok: true, authorization: { url: url.href, state, nonce, codeVerifier } };
  }

  async complete(callbackQuery: string, expected: Omit<BankAuthorization, 'url'>, wantedClaim: string): Promise<BankOutcome> {
    const params = new URLSearchParams(callbackQuery);
    const error = params.get('error');
    if (error) {
      // An error answer for another request is not this person's answer.
      if (params.get('state') !== expected.state) return failure('invalid_answer', 'error response with a wrong state');
      if (error === 'access_denied') return failure('cancelled', 'authorization: access_denied');
      if (!AUTHORIZATION_ERRORS.has(error)) return failure('invalid_answer', `authorization: unknown error code (${error.length} characters)`);
      return failure('bank_error', `authorization: ${error}`);
    }
    let config: oidc.Configuration;
    try {
      config = await this.#configuration();
    } catch (err) {
      const classified = classifyBankError(err);
      return failure(classified.failure === 'unreachable' ? 'unreachable' : 'bank_error', `discovery: ${classified.detail}`);
    }
    const current = new URL(this.settings.redirectUri);
    current.search = params.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const fetched = oidc.getJwksCache(config);
      if (fetched) this.#jwks = fetched;
      const idToken = tokens.claims();
      if (!idToken) return failure('invalid_answer', 'no ID token');
      // We asked for prompt=login: an authentication much older than this request means the bank
      // reused a session instead of asking the person.
      if (typeof idToken.auth_time === 'number' && Date.now() / 1000 - idToken.auth_time > MAX_AUTH_AGE_SECONDS) {
        return failure('invalid_answer', 'auth_time too old for prompt=login');
      }
      let claims: Record<string, unknown> = { ...idToken };
      if (claims[wantedClaim] === undefined && config.serverMetadata().userinfo_endpoint && tokens.access_token) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
        claims = { ...info, ...idToken }; // what the signed ID token says wins
      }
      const amr = Array.isArray(idToken.amr) ? idToken.amr.filter((v): v is string => typeof v === 'string') : [];
      return { ok: true, answer: { subject: idToken.sub, claims, acr: typeof idToken.acr === 'string' ? idToken.acr : undefined, amr } };
    } catch (err) {
      return classifyBankError(err);
    }
  }
}
