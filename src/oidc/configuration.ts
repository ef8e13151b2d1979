import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { Account } from '../accounts/account.js';
import { ACR_LEVELS, isAcr } from '../assurance/levels.js';
import type { Config } from '../config.js';
import type { AuditLog } from '../security/audit.js';
import { hmac } from '../security/crypto.js';
import { translate } from '../i18n/index.js';
import { allowFormTargets } from '../web/form-targets.js';
import { localeFor } from '../web/locale.js';
import { renderPage } from '../web/render.js';
import { renderOidcError } from '../web/oidc-error-page.js';
import { accountClaims, claimsToRelease, registeredClaims, SCOPE_CLAIMS, SUPPORTED_SCOPES } from './claims.js';
import { CLIENT_METADATA, clientMetadataValidator } from './client-metadata.js';
import { kapiInteractionPolicy, SESSION_LIFETIMES } from './level-checks.js';
import type { ConsentRepository } from '../accounts/consent-repository.js';
import type { ProviderJwk } from '../../keys/key-store.js';
import { errors } from 'oidc-provider';
import { decodeJwt } from 'jose';
import { dpopIatTimely } from './dpop.js';
import type { ResourceServerRegistry } from './resource-servers.js';
import { narrowLogoutToThisSession } from './logout-scope.js';
import { introspectionAllowedPolicy } from './introspection-policy.js';
import { outgoingFetch } from './outgoing-requests.js';
import type { RevocationCheck } from './introspection-policy.js';

// Token lifetimes (seconds). Signed artefacts (ID tokens, JWT access tokens, logout tokens) live at most
// MAX_SIGNED_LIFETIME: a retiring signing key stays published that long (keys/key-store.ts).
export const TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 30 * 60,
  Grant: 365 * 24 * 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  PushedAuthorizationRequest: 60,
};
export const MAX_SIGNED_LIFETIME = Math.max(TTL.AccessToken, TTL.IdToken, TTL.ClientCredentials) + 5 * 60;

export interface ConfigurationDeps {
  config: Config;
  jwks: { keys: ProviderJwk[] };
  adapter: Configuration['adapter'];
  accounts: AccountRepository;
  consents: ConsentRepository;
  audit: AuditLog;
  resourceServers: ResourceServerRegistry;
  /** The session index's verdict on a session, for the interaction policy (issue 25). */
  sessionEnded?: (uid: string, accountId: string) => Promise<boolean>;
  /** The "revoked before" times of accounts and clients: introspection answers inactive for what they recall. */
  revocations?: RevocationCheck;
}

type Ctx = KoaContextWithOIDC;

/**
 * Whether an ID token being issued leaves the scope claims to userinfo. OpenID Connect Core §5.4: when
 * an access token is issued, the claims of profile, email, address, phone (and Kapı's national_id) are
 * returned by userinfo; the ID token then carries them only when the claims parameter asks for them
 * there. oidc-provider's conformIdTokenClaims applies the rule when the access token issued beside the
 * ID token is one userinfo accepts (no audience); an access token for a resource server cannot reach
 * userinfo, so the claims stay in the ID token. Mirrored here so the release record names what left.
 */
function scopeClaimsGoToUserinfo(ctx: Ctx): boolean {
  const accessToken = ctx.oidc.entities.AccessToken as { aud?: unknown } | undefined;
  return accessToken !== undefined && accessToken.aud === undefined;
}

// oidc-provider asks for the account several times while handling one request (the session's
// account, the grant's, the ID token's claims): within a request they are one read (issue 8). Nothing is
// kept past the request, and a failed read is not remembered. In a refresh grant that one read is the
// refresh token's own statement, which brings the account along (findByIdInRequest, issue 27).
const accountsByRequest = new WeakMap<object, Map<string, Promise<Account | undefined>>>();

function accountOfRequest(ctx: object, sub: string, read: (id: string) => Promise<Account | undefined>): Promise<Account | undefined> {
  let reads = accountsByRequest.get(ctx);
  if (!reads) accountsByRequest.set(ctx, (reads = new Map()));
  let pending = reads.get(sub);
  if (!pending) {
    pending = read(sub);
    reads.set(sub, pending);
    pending.catch(() => reads.delete(sub));
  }
  return pending;
}

export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { config } = deps;
  const secure = config.issuer.startsWith('https://');

  return {
    adapter: deps.adapter,
    jwks: deps.jwks,
    // Back-channel logout reaches institutions on private and loopback addresses; every other outgoing
    // request keeps oidc-provider's SSRF guard (src/oidc/outgoing-requests.ts).
    fetch: outgoingFetch,
    // Clock skew allowed on the nbf/exp/iat of what clients sign (client assertions, request objects,
    // ID token hints); DPoP proofs below.
    clockTolerance: config.clockToleranceSeconds,
    acrValues: [...ACR_LEVELS],
    scopes: SUPPORTED_SCOPES,
    claims: { ...SCOPE_CLAIMS, sid: null } as unknown as Configuration['claims'],
    // Scope claims go to userinfo whenever an access token for it is issued (Core §5.4; issue 26).
    conformIdTokenClaims: true,
    subjectTypes: ['public', 'pairwise'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['private_key_jwt', 'client_secret_basic', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      // OpenID Connect Registration's default, which the Basic OP certification expects; ES256 and
      // PS256 on request, PS256 for FAPI (src/clients/client-service.ts).
      id_token_signed_response_alg: 'RS256',
      subject_type: 'pairwise',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'],
      idTokenSigningAlgValues: ['ES256', 'PS256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'],
      userinfoSigningAlgValues: ['ES256', 'PS256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'PS256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'PS256', 'RS256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'],
    },
    extraClientMetadata: { properties: [...CLIENT_METADATA], validator: clientMetadataValidator({ production: config.production }) },
    cookies: {
      keys: config.cookieKeys,
      names: { session: 'kapi_session', interaction: 'kapi_interaction', resume: 'kapi_resume' },
      long: { httpOnly: true, sameSite: 'lax', secure, signed: true },
      short: { httpOnly: true, sameSite: 'lax', secure, signed: true },
    },
    routes: {
      authorization: '/auth',
      token: '/token',
      userinfo: '/me',
      jwks: '/jwks',
      introspection: '/token/introspection',
      revocation: '/token/revocation',
      end_session: '/session/end',
      pushed_authorization_request: '/request',
    },
    interactions: {
      policy: kapiInteractionPolicy({ ...(deps.sessionEnded ? { sessionEnded: deps.sessionEnded } : {}) }),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      // Only the token's own institution, or the client of a resource server in its aud, learns it is active.
      introspection: { enabled: true, allowedPolicy: introspectionAllowedPolicy(deps.resourceServers, deps.revocations) } as never,
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      dPoP: {
        enabled: true,
        // oidc-provider accepts any proof whose iat is within 300 s of now, with no setting for it. Kapı
        // holds proofs to the window of its own resource endpoints (src/oidc/dpop.ts): no later
        // than now + the clock tolerance, no older than 120 s + the tolerance. requireNonce is the hook
        // oidc-provider calls with every proof before verifying it; a malformed proof is left to it.
        requireNonce(ctx: Ctx) {
          let iat: unknown;
          try {
            iat = decodeJwt(ctx.get('DPoP')).iat;
          } catch {
            return false;
          }
          if (!dpopIatTimely(iat, config.clockToleranceSeconds)) throw new errors.InvalidDpopProof('DPoP proof iat is outside the accepted clock skew');
          return false;
        },
      },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: Ctx, _client: unknown, oneOf?: string[]) => oneOf,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx: Ctx, indicator: string) {
          const rs = await deps.resourceServers.find(indicator);
          if (!rs) throw new errors.InvalidTarget();
          return {
            scope: rs.scopes.join(' '),
            audience: rs.identifier,
            accessTokenTTL: rs.accessTokenTtl,
            accessTokenFormat: rs.tokenFormat,
            ...(rs.tokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
          };
        },
      } as never,
      fapi: {
        enabled: true,
        profile: (_ctx: Ctx, client: { fapi?: unknown } | undefined) => (client && (client as Record<string, unknown>).fapi === true ? '2.0' : undefined),
      } as never,
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          const locale = localeFor(ctx as never);
          // "No" ends an institution's part only when this session's own ID token asked for it.
          narrowLogoutToThisSession(ctx);
          // The confirmation form posts to oidc-provider's end_session route, which redirects to the
          // post-logout URI it has already checked against the client's registration.
          allowFormTargets(ctx, [ctx.oidc.params?.post_logout_redirect_uri]);
          await renderPage(ctx as never, '/src/web/views/logout', locale, { title: translate(locale, 'logout.title'), form }, {});
        },
        async postLogoutSuccessSource(ctx) {
          const locale = localeFor(ctx as never);
          await renderPage(
            ctx as never,
            '/src/web/views/logged-out',
            locale,
            { title: translate(locale, 'logout.done_title'), client: ctx.oidc.client?.clientName },
            {},
          );
        },
      },
    },
    ttl: {
      AccessToken: TTL.AccessToken,
      AuthorizationCode: TTL.AuthorizationCode,
      ClientCredentials: TTL.ClientCredentials,
      IdToken: TTL.IdToken,
      Interaction: TTL.Interaction,
      Grant: TTL.Grant,
      RefreshToken: (_ctx, token) => (token.isSenderConstrained?.() ? TTL.RefreshToken : TTL.RefreshToken),
      // Sliding (idle) lifetime by level; the absolute lifetime is enforced by a login check.
      Session: (_ctx, session) => SESSION_LIFETIMES[isAcr(session.acr) ? session.acr : 'low'].idle,
    } as Configuration['ttl'],
    // Rotation makes each refresh token single use. Sender-constrained (DPoP/mTLS) and FAPI clients
    // keep one refresh token until it expires or is revoked (DESIGN.md clarification).
    rotateRefreshToken(ctx) {
      const { RefreshToken: token, Client: client } = ctx.oidc.entities;
      if (!token || !client) return true;
      // Public clients (the mobile app) always rotate, DPoP-bound or not (DESIGN.md clarification).
      if (client.clientAuthMethod === 'none') return true;
      if (token.isSenderConstrained()) return false;
      // A confidential client's refresh token is not itself DPoP-bound (RFC 9449 §5), but a client
      // registered for DPoP-bound tokens is sender-constrained by its registration.
      const c = client as unknown as Record<string, unknown>;
      if (c.dpopBoundAccessTokens === true || c.fapi === true) return false;
      return true;
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    async extraTokenClaims(ctx, token) {
      // acr and amr of the authentication travel with access tokens (introspection, JWT format).
      const source = (ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken) as { acr?: string; amr?: string[]; authTime?: number } | undefined;
      if (!('accountId' in token) || !token.accountId || !source) return undefined;
      return { acr: source.acr, amr: source.amr, auth_time: source.authTime };
    },
    async pairwiseIdentifier(_ctx, accountId, client) {
      // Keyed on the institution, not on the host of its first redirect URI: two institutions on one
      // host never share a `sub`, one institution with several hosts keeps one.
      const institution = (client as unknown as Record<string, unknown>).institution_id ?? client.clientId;
      return hmac(config.pairwiseSalt, `${String(institution)}:${accountId}`);
    },
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const clientId = oidc.client!.clientId;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
      if (grantId) {
        const grant = await oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const accountId = oidc.session?.accountId;
      if (!accountId) return undefined;
      // Kapı's own applications ask for nothing beyond the sign-in itself: no consent screen.
      if ((oidc.client as unknown as Record<string, unknown>).first_party === true) {
        const grant = new oidc.provider.Grant({ accountId, clientId });
        const allowed = new Set(String(oidc.client!.scope ?? 'openid').split(' '));
        grant.addOIDCScope(
          String(oidc.params?.scope ?? 'openid')
            .split(' ')
            .filter((s) => allowed.has(s))
            .join(' '),
        );
        await grant.save();
        oidc.session!.ensureClientContainer(clientId);
        oidc.session!.grantIdFor(clientId, grant.jti);
        return grant;
      }
      // A consent remembered from an earlier session becomes this session's grant.
      const remembered = await deps.consents.find(accountId, clientId);
      if (!remembered) return undefined;
      const grant = new oidc.provider.Grant({ accountId, clientId });
      if (remembered.scopes.length) grant.addOIDCScope(remembered.scopes.join(' '));
      // Claims outside today's registration may sit here (remembered before a registration was
      // narrowed): findAccount().claims() never releases them.
      if (remembered.claims.length) grant.addOIDCClaims(remembered.claims);
      await grant.save();
      oidc.session!.ensureClientContainer(clientId);
      oidc.session!.grantIdFor(clientId, grant.jti);
      return grant;
    },
    async findAccount(ctx, sub) {
      const account = await accountOfRequest(ctx, sub, (id) => deps.accounts.findByIdInRequest(id));
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims(use, scope, claimsRequested, rejected) {
          // The one filter of releasable claims (DESIGN.md "Releasable claims"): whatever the claims
          // parameter, a request object or a remembered consent asks, an institution gets only claims of
          // the scopes it is registered for. The release record names exactly what this answer carries.
          const client = ctx.oidc.client;
          if (!client) return { sub: account.id };
          const shownScope = use === 'id_token' && scopeClaimsGoToUserinfo(ctx) ? 'openid' : scope;
          const names = claimsToRelease(
            registeredClaims(client as unknown as { scope?: string }),
            shownScope,
            (claimsRequested ?? {}) as Record<string, unknown>,
            rejected ?? [],
          );
          const available = accountClaims(account);
          const released = Object.fromEntries(names.filter((c) => available[c] !== undefined).map((c) => [c, available[c]]));
          await deps.audit.claimRelease(account.id, client.clientId, Object.keys(released), use === 'userinfo' ? 'userinfo' : 'id_token');
          return { sub: account.id, ...released };
        },
      };
    },
    async renderError(ctx, out, error) {
      await renderOidcError(ctx as never, out, error);
    },
  };
}
