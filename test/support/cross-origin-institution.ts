import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import type { ClientInput } from '../../src/clients/client-service.js';
import { freePort, type TestKapi } from './kapi.js';

// An institution on its own origin, as every real one is: a small web application on 127.0.0.1 (Kapı
// runs on localhost in the browser journeys), registered with Kapı like any other, that signs people in
// with openid-client (code flow, PKCE, nonce), reads userinfo, and signs them out with RP-initiated
// logout and a post-logout redirect URI. Its pages carry stable ids the journeys read.

export interface Arrival {
  state: string;
  /** The ID token's claims (acr, amr, auth_time, sid, ...). */
  idToken?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  /** The OAuth error the institution received instead of a code. */
  error?: string;
}

export interface CrossOriginInstitution {
  origin: string;
  clientId: string;
  /** The address a person opens to sign in there (parameters go into the authorization request). */
  startUrl(params?: Record<string, string>): string;
  arrivals: Map<string, Arrival>;
  /** The `state` of every completed RP-initiated logout, in order. */
  loggedOut: string[];
  close(): Promise<void>;
}

const escapeHtml = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export async function startCrossOriginInstitution(t: TestKapi, registration: Partial<ClientInput> = {}): Promise<CrossOriginInstitution> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const callback = `${origin}/cb`;
  const afterLogout = `${origin}/logged-out`;
  const metadata = await t.kapi.services.clients.add({
    name: 'Karşı Köken Kurumu',
    redirectUris: [callback],
    postLogoutRedirectUris: [afterLogout],
    authMethod: 'client_secret_basic',
    scopes: ['openid', 'profile', 'national_id'],
    ...registration,
  });
  const clientId = metadata.client_id as string;
  const algorithm = metadata.id_token_signed_response_alg as string | undefined;
  const config = await client.discovery(new URL(t.issuer), clientId, algorithm ? { id_token_signed_response_alg: algorithm } : {}, client.ClientSecretBasic(metadata.client_secret as string), { execute: [client.allowInsecureRequests] });

  const pending = new Map<string, { verifier: string; nonce: string }>();
  const arrivals = new Map<string, Arrival>();
  const loggedOut: string[] = [];

  async function signedIn(url: URL): Promise<string> {
    const state = url.searchParams.get('state') ?? '';
    const tx = pending.get(state);
    if (!tx) return page('Unknown', '<h1 id="unknown">Unknown sign-in</h1>');
    pending.delete(state);
    const error = url.searchParams.get('error');
    if (error) {
      arrivals.set(state, { state, error });
      return page('Refused', `<h1 id="refused">Not signed in</h1><p id="error">${escapeHtml(error)}</p>`);
    }
    const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: tx.verifier, expectedState: state, expectedNonce: tx.nonce, idTokenExpected: true });
    const idToken = (tokens.claims() ?? {}) as Record<string, unknown>;
    const userinfo = (await client.fetchUserInfo(config, tokens.access_token, idToken.sub as string)) as Record<string, unknown>;
    arrivals.set(state, { state, idToken, userinfo });
    const logoutState = `out-${state}`;
    const signOut = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: afterLogout, state: logoutState });
    return page('Signed in', [
      '<h1 id="signed-in">Signed in</h1>',
      `<p>acr <span id="acr">${escapeHtml(idToken.acr)}</span>, amr <span id="amr">${escapeHtml((idToken.amr as string[] | undefined)?.join(' '))}</span></p>`,
      `<p id="name">${escapeHtml(userinfo.name ?? '')}</p>`,
      `<a id="sign-out" href="${escapeHtml(signOut.href)}">Sign out</a>`,
    ].join(''));
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const answer = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(html);
    };
    (async () => {
      if (url.pathname === '/start') {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        pending.set(state, { verifier, nonce });
        const params = Object.fromEntries(url.searchParams);
        const target = client.buildAuthorizationUrl(config, {
          redirect_uri: callback,
          scope: 'openid profile national_id',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
          ...params,
        });
        return answer(302, '', { location: target.href, 'x-state': state });
      }
      if (url.pathname === '/cb') return answer(200, await signedIn(url));
      if (url.pathname === '/logged-out') {
        const state = url.searchParams.get('state') ?? '';
        loggedOut.push(state);
        return answer(200, page('Signed out', `<h1 id="logged-out">Signed out</h1><p id="state">${escapeHtml(state)}</p>`));
      }
      return answer(404, page('Not found', '<h1>Not found</h1>'));
    })().catch((err: unknown) => answer(500, page('Error', `<h1 id="institution-error">${escapeHtml((err as Error).message)}</h1>`)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));

  return {
    origin,
    clientId,
    arrivals,
    loggedOut,
    startUrl(params = {}) {
      return `${origin}/start?${new URLSearchParams(params)}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
