import * as client from 'openid-client';
import type { ClientInput } from '../../src/clients/client-service.js';
import type { TestKapi } from './kapi.js';
import type { Browser, Page } from './browser.js';

export const CALLBACK = 'https://institution.example/cb';

/** Registers an institution through the same service the `kapi clients` command uses. */
export async function registerInstitution(t: TestKapi, input: Partial<ClientInput> = {}): Promise<Record<string, unknown>> {
  return t.kapi.services.clients.add({
    name: 'Test Kurumu',
    redirectUris: [CALLBACK],
    authMethod: 'client_secret_basic',
    scopes: ['openid', 'profile', 'national_id', 'offline_access'],
    ...input,
  });
}

/** An openid-client configuration for a registered institution (plain HTTP allowed on loopback). */
export async function relyingParty(t: TestKapi, metadata: Record<string, unknown>, auth?: client.ClientAuth): Promise<client.Configuration> {
  const secret = metadata.client_secret as string | undefined;
  return client.discovery(
    new URL(t.issuer),
    metadata.client_id as string,
    { id_token_signed_response_alg: (metadata.id_token_signed_response_alg as string) ?? 'RS256' },
    auth ?? (secret ? client.ClientSecretBasic(secret) : client.None()),
    { execute: [client.allowInsecureRequests] },
  );
}

export interface AuthRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authRequest(config: client.Configuration, params: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile national_id',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

export const atCallback = (location: string) => location.startsWith(CALLBACK);

/** Drives the hosted pages: identity number + password, then consent when asked. */
export async function signIn(
  browser: Browser,
  start: string,
  nationalId: string,
  password: string,
  options: { consent?: 'allow' | 'deny' } = {},
): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (atCallback(page.url)) return page;
  if (!page.html.includes('name="national_id"')) throw new Error(`expected the password form, got ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  page = await browser.submit(page, { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) {
    page = await browser.submit(page, {}, { name: 'decision', value: options.consent ?? 'allow' }, atCallback);
  }
  return page;
}

export async function exchange(config: client.Configuration, req: AuthRequest, callbackUrl: string, options?: client.DPoPOptions) {
  return client.authorizationCodeGrant(
    config,
    new URL(callbackUrl),
    { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true },
    undefined,
    options,
  );
}

/**
 * The person's claims as an institution reads them: the ID token's, completed by userinfo. With an
 * access token issued, the scope claims (national_id included) come from userinfo only (OpenID Connect
 * Core §5.4); acr, amr and auth_time stay in the ID token.
 */
export async function personClaims(
  config: client.Configuration,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  options?: client.DPoPOptions,
): Promise<client.IDToken & client.UserInfoResponse> {
  const idToken = tokens.claims()!;
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub, options);
  return { ...userinfo, ...idToken };
}
