// A bare oidc-provider 9 for comparison: its own in-memory adapter, ES256 (and RS256) keys generated at
// start, the token formats Kapı uses (opaque and RFC 9068 JWT access tokens through resource
// indicators, ES256 ID tokens), one static confidential client (client_secret_basic), a findAccount
// that returns a fixed account, and devInteractions off. Its "login" page is trivial: it spends one
// argon2id verification with Kapı's parameters and engine (so logins/s compare like for like on the hashing) and
// finishes login and consent in one step (the equivalent of Kapı's remembered consent).
//
// Started by bench/run.ts: PORT, BARE_ISSUER, BARE_CLIENT_ID, BARE_CLIENT_SECRET, BARE_CALLBACK,
// BARE_RESOURCES (JSON: [{identifier, scope, format}]).
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { ARGON2_PARAMETERS, rustArgon2 } from '../src/accounts/password-hasher.js';

const port = Number(process.env.PORT ?? 3999);
const issuer = process.env.BARE_ISSUER ?? `http://127.0.0.1:${port}`;
const clientId = process.env.BARE_CLIENT_ID ?? 'bench-rp';
const clientSecret = process.env.BARE_CLIENT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0';
const callback = process.env.BARE_CALLBACK ?? 'https://institution.example/cb';
const resources = JSON.parse(process.env.BARE_RESOURCES ?? '[]') as Array<{ identifier: string; scope: string; format: 'opaque' | 'jwt' }>;
const PASSWORD = 'Ankara-Kizilay-1923';

async function key(alg: 'ES256' | 'RS256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-bare`, use: 'sig', ...(alg === 'ES256' ? { alg } : {}) };
}

const ACCOUNT = {
  name: 'Ayşe Yılmaz',
  given_name: 'Ayşe',
  family_name: 'Yılmaz',
  birthdate: '1985-04-23',
  national_id: '10000000146',
  national_id_type: 'citizen',
};

const hash = await rustArgon2.hash(PASSWORD, ARGON2_PARAMETERS);

const configuration: Configuration = {
  jwks: { keys: [await key('ES256'), await key('RS256')] } as Configuration['jwks'],
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [callback],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      scope: 'openid offline_access profile national_id',
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'national_id'],
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    profile: ['name', 'given_name', 'family_name', 'birthdate'],
    national_id: ['national_id', 'national_id_type'],
  } as unknown as Configuration['claims'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  responseTypes: ['code'],
  routes: { authorization: '/auth', token: '/token', userinfo: '/me', jwks: '/jwks' },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx: unknown, indicator: string) {
        const rs = resources.find((r) => r.identifier === indicator);
        if (!rs) throw new Error(`unknown resource ${indicator}`);
        return {
          scope: rs.scope,
          audience: rs.identifier,
          accessTokenTTL: 600,
          accessTokenFormat: rs.format,
          ...(rs.format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
        };
      },
    } as never,
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    IdToken: 3600,
    Interaction: 1800,
    Grant: 365 * 86400,
    RefreshToken: 30 * 86400,
    Session: 8 * 3600,
  },
  rotateRefreshToken: () => true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => ({ sub, ...ACCOUNT }) };
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx, err) => process.stderr.write(`bare server_error: ${err.message}\n`));

// The trivial login + consent page.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!(await rustArgon2.verify(hash, PASSWORD))) throw new Error('argon2 verify failed');
  const accountId = 'bench-account';
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const resource = details.params.resource;
  if (typeof resource === 'string') grant.addResourceScope(resource, resources.find((r) => r.identifier === resource)?.scope ?? '');
  const grantId = await grant.save();
  await provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId, acr: 'low', amr: ['pwd'] }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
});

const server = http.createServer(provider.callback());
server.listen(port, '127.0.0.1', () => process.stdout.write(`bare oidc-provider listening on ${issuer}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
