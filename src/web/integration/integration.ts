import { METHOD_TRAITS } from '../../../interactions/index.js';
import { rank } from '../../assurance/levels.js';
import { acrAmrRows } from '../../engine/acr-amr-table.js';
import { SCOPE_CLAIMS } from '../../oidc/claims.js';
import { translate, type Locale } from '../../i18n/index.js';
import { dotnetProgram, type ExampleValues, nodeExample, springJava, springYaml } from './examples.js';
import './messages.js';

// What an institution's developer needs to connect to Kapı (issue 23 point 3), built from the
// institution's registered metadata: the operator console's integration page and the demo's public
// developer page both render it with views/sections.eta. The client secret is never part of it.

export interface IntegrationView {
  issuer: string;
  discoveryUrl: string;
  clientId: string;
  name: string;
  auth: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: { scope: string; claims: string }[];
  minAcr: string;
  idTokenAlg: string;
  requirements: string[];
  acrAmr: { methods: string[]; acr: string; raised: boolean; amr: string[]; notes: string }[];
  examples: { node: string; springYaml: string; springJava: string; dotnet: string };
}

/** The method → acr → amr rows the README's table has (src/engine/acr-amr-table.ts), for an HTML table. */
export function acrAmrView() {
  const rows = acrAmrRows(METHOD_TRAITS.all);
  const alone = (method: string) => rows.find((r) => r.methods.length === 1 && r.methods[0] === method)!;
  return rows.map((row) => ({
    methods: row.methods,
    acr: row.acr,
    raised: row.methods.length > 1 && rank(row.acr) > rank(alone(row.methods[0]!).acr),
    amr: row.amr,
    notes: row.notes.join('; '),
  }));
}

/** The example's redirect URI: the first registered one (an institution with none signs nobody in). */
const PLACEHOLDER_REDIRECT = 'https://your-application.example/callback';

export function integrationView(metadata: Record<string, unknown>, issuer: string, locale: Locale): IntegrationView {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const registered = String(metadata.scope ?? 'openid')
    .split(' ')
    .filter(Boolean);
  const clientId = String(metadata.client_id);
  const auth = String(metadata.token_endpoint_auth_method ?? 'client_secret_basic');
  const redirectUris = list(metadata.redirect_uris);
  const postLogoutRedirectUris = list(metadata.post_logout_redirect_uris);
  const idTokenAlg = String(metadata.id_token_signed_response_alg ?? 'RS256');
  const par = metadata.require_pushed_authorization_requests === true;
  const dpop = metadata.dpop_bound_access_tokens === true;
  const requirements = [
    ...(par ? [translate(locale, 'integration.requires.par')] : []),
    ...(dpop ? [translate(locale, 'integration.requires.dpop')] : []),
    ...(metadata.fapi === true ? [translate(locale, 'integration.requires.fapi')] : []),
    ...(typeof metadata.min_acr === 'string' ? [translate(locale, 'integration.requires.min_acr', { level: metadata.min_acr })] : []),
  ];
  // The examples ask for the registered scopes, offline_access aside (a refresh token is a choice, not a start).
  const exampleScopes = registered.includes('openid')
    ? registered.filter((s) => s !== 'offline_access')
    : ['openid', ...registered.filter((s) => s !== 'offline_access')];
  const values: ExampleValues = { issuer, clientId, auth, redirectUri: redirectUris[0] ?? PLACEHOLDER_REDIRECT, scopes: exampleScopes, idTokenAlg, par, dpop };
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    name: String(metadata.client_name ?? clientId),
    auth,
    redirectUris,
    postLogoutRedirectUris,
    scopes: registered.map((scope) => ({ scope, claims: ((SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? []).join(', ') })),
    minAcr: typeof metadata.min_acr === 'string' ? metadata.min_acr : '',
    idTokenAlg,
    requirements,
    acrAmr: acrAmrView(),
    examples: { node: nodeExample(values), springYaml: springYaml(values), springJava: springJava(values), dotnet: dotnetProgram(values) },
  };
}
