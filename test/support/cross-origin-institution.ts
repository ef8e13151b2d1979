import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import type { ClientInput } from '../../src/clients/client-service.js';
import { freePort, type TestKapi } from './kapi.js';

// An institution on its own origin, as every real one is: a small web application on 127.0.0.1 (Kapı
// runs on localhost in the browser journeys), registered with Kapı like any other, that signs people in
// with openid-client (code flow, PKCE, nonce), reads userinfo, and signs them out with RP-initiated
// logout and a post-logout redirect URI. Its pages carry stable ids the journeys read.
//
// With `backchannelLogout`, it is also registered with a back-channel logout endpoint on its own origin
// (`/backchannel-logout`, on 127.0.0.1: a private address, as inside a government network), which checks
// each logout token as an institution must (signature by Kapı's keys, `typ` logout+jwt, iss, aud, the
// back-channel event, no nonce) and answers 200 for a good token, 400 for a bad one. `answers` lets a
// test make it fail first (e.g. [500, 500]: two failures, then 200).

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
  /** Every request to the back-channel logout endpoint, in order (with `backchannelLogout`). */
  backchannelLogouts: BackchannelLogout[];
  close(): Promise<void>;
}

export interface BackchannelLogout {
  /** The status the endpoint answered. */
  status: number;
  contentType: string;
  /** The names of the form fields sent (only `logout_token` is expected). */
  fields: string[];
  /** The verified logout token's header and claims; undefined when it did not verify. */
  header?: Record<string, unknown>;
  claims?: JWTPayload;
  /** Why the token was refused, when it was. */
  refused?: string;
}

export interface CrossOriginOptions {
  /** Register a back-channel logout URI; the statuses to answer first (then 200 for a good token). */
  backchannelLogout?: boolean | { answers: number[] };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const escapeHtml = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export async function startCrossOriginInstitution(
  t: TestKapi,
  registration: Partial<ClientInput> = {},
  options: CrossOriginOptions = {},
): Promise<CrossOriginInstitution> {
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
    ...(options.backchannelLogout ? { backchannelLogoutUri: `${origin}/backchannel-logout` } : {}),
    ...registration,
  });
  const clientId = metadata.client_id as string;
  const algorithm = metadata.id_token_signed_response_alg as string | undefined;
  const config = await client.discovery(
    new URL(t.issuer),
    clientId,
    algorithm ? { id_token_signed_response_alg: algorithm } : {},
    client.ClientSecretBasic(metadata.client_secret as string),
    { execute: [client.allowInsecureRequests] },
  );

  const pending = new Map<string, { verifier: string; nonce: string }>();
  const arrivals = new Map<string, Arrival>();
  const loggedOut: string[] = [];
  const backchannelLogouts: BackchannelLogout[] = [];
  const failFirst = typeof options.backchannelLogout === 'object' ? [...options.backchannelLogout.answers] : [];
  const kapiKeys = createRemoteJWKSet(new URL(`${t.issuer}/jwks`));

  /** The back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.5, §2.6, §2.8). */
  async function backchannelLogout(req: IncomingMessage): Promise<number> {
    const form = new URLSearchParams(await readBody(req));
    const entry: BackchannelLogout = { status: 200, contentType: String(req.headers['content-type'] ?? ''), fields: [...form.keys()] };
    backchannelLogouts.push(entry);
    const planned = failFirst.shift();
    if (planned !== undefined) return (entry.status = planned);
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('logout_token') ?? '', kapiKeys, {
        issuer: t.issuer,
        audience: clientId,
        typ: 'logout+jwt',
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events['http://schemas.openid.net/event/backchannel-logout'] !== 'object') throw new Error('no back-channel logout event');
      if (payload.nonce !== undefined) throw new Error('a logout token must not carry a nonce');
      Object.assign(entry, { header: protectedHeader, claims: payload });
      return (entry.status = 200);
    } catch (err) {
      entry.refused = (err as Error).message;
      return (entry.status = 400);
    }
  }

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
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: tx.verifier,
      expectedState: state,
      expectedNonce: tx.nonce,
      idTokenExpected: true,
    });
    const idToken = (tokens.claims() ?? {}) as Record<string, unknown>;
    const userinfo = (await client.fetchUserInfo(config, tokens.access_token, idToken.sub as string)) as Record<string, unknown>;
    arrivals.set(state, { state, idToken, userinfo });
    const logoutState = `out-${state}`;
    const signOut = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: afterLogout, state: logoutState });
    // RP-Initiated Logout 1.0's other shapes of the request, for the conformance modules in Chromium
    // (test/conformance/person-modules-browser.test.ts): each link leaves out some of the parameters.
    const variants: Record<string, Record<string, string>> = {
      'sign-out-no-state': { id_token_hint: tokens.id_token!, post_logout_redirect_uri: afterLogout },
      'sign-out-hint-only': { id_token_hint: tokens.id_token! },
      'sign-out-client-id': { client_id: clientId, post_logout_redirect_uri: afterLogout, state: logoutState },
      'sign-out-no-hint': { post_logout_redirect_uri: afterLogout, state: logoutState },
      'sign-out-only-state': { state: logoutState },
      'sign-out-no-params': {},
    };
    const endSession = String(config.serverMetadata().end_session_endpoint);
    return page(
      'Signed in',
      [
        '<h1 id="signed-in">Signed in</h1>',
        `<p>acr <span id="acr">${escapeHtml(idToken.acr)}</span>, amr <span id="amr">${escapeHtml((idToken.amr as string[] | undefined)?.join(' '))}</span></p>`,
        `<p id="name">${escapeHtml(userinfo.name ?? '')}</p>`,
        `<a id="sign-out" href="${escapeHtml(signOut.href)}">Sign out</a>`,
        ...Object.entries(variants).map(
          ([id, params]) =>
            ` <a id="${id}" href="${escapeHtml(`${endSession}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`)}">${id}</a>`,
        ),
      ].join(''),
    );
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
      if (url.pathname === '/backchannel-logout' && req.method === 'POST') {
        res.writeHead(await backchannelLogout(req), { 'cache-control': 'no-store' });
        return res.end();
      }
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
    backchannelLogouts,
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
