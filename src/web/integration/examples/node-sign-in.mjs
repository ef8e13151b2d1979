// Signing in with Kapı from Node.js (openid-client v6): discovery, the authorization URL with PKCE
// (S256), the callback, userinfo. A whole small web application: `npm install openid-client`, then
// `KAPI_CLIENT_SECRET=... node sign-in.mjs` and open /login on it. Kapı's integration page fills in
// the settings below with the institution's own values; test/e2e/integration-example.test.ts runs it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as client from 'openid-client';

const settings = {
  issuer: 'https://giris.example.gov.tr',
  clientId: 'your-client-id',
  // client_secret_basic | private_key_jwt | none, as the institution is registered.
  auth: 'client_secret_basic',
  redirectUri: 'http://localhost:8080/callback',
  scope: 'openid profile',
  idTokenAlg: 'RS256',
  par: false,
  dpop: false,
};

/** The institution's credential: never in the source, from the environment. */
async function clientAuth() {
  if (settings.auth === 'none') return client.None();
  if (settings.auth === 'private_key_jwt') {
    // An EC P-256 private key (PKCS#8 PEM) whose public half Kapı has (jwks or jwks_uri).
    const pem = readFileSync(process.env.KAPI_PRIVATE_KEY_FILE, 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const key = await crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return client.PrivateKeyJwt({ key, kid: process.env.KAPI_PRIVATE_KEY_KID });
  }
  return client.ClientSecretBasic(process.env.KAPI_CLIENT_SECRET);
}

// Discovery: <issuer>/.well-known/openid-configuration. Plain HTTP only for a Kapı on this machine.
const issuer = new URL(settings.issuer);
const config = await client.discovery(
  issuer,
  settings.clientId,
  { id_token_signed_response_alg: settings.idTokenAlg },
  await clientAuth(),
  issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
);
const dpop = settings.dpop ? client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256')) : undefined;

/** Sign-ins under way, by the browser's cookie: the PKCE verifier, state and nonce stay on the server. */
const pending = new Map();
const callbackPath = new URL(settings.redirectUri).pathname;

async function login(res) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const id = randomBytes(16).toString('base64url');
  pending.set(id, { verifier, state, nonce });
  const parameters = {
    redirect_uri: settings.redirectUri,
    scope: settings.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  const url = settings.par ? await client.buildAuthorizationUrlWithPAR(config, parameters, { DPoP: dpop }) : client.buildAuthorizationUrl(config, parameters);
  res.writeHead(302, { location: url.href, 'set-cookie': `kapi_tx=${id}; HttpOnly; SameSite=Lax; Path=/; Max-Age=900` });
  res.end();
}

async function callback(req, res) {
  const id = /(?:^|;\s*)kapi_tx=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  const tx = id && pending.get(id);
  if (!tx) return answer(res, 400, { error: 'no sign-in under way in this browser' });
  pending.delete(id);
  // Checks iss, state and the code, redeems it with the PKCE verifier, and validates the ID token.
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(req.url, settings.redirectUri),
    { pkceCodeVerifier: tx.verifier, expectedState: tx.state, expectedNonce: tx.nonce, idTokenExpected: true },
    undefined,
    { DPoP: dpop },
  );
  // The ID token says who and how (sub, acr, amr, auth_time); the person's claims come from userinfo.
  const idToken = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub, { DPoP: dpop });
  answer(res, 200, { ...userinfo, acr: idToken.acr, amr: idToken.amr, auth_time: idToken.auth_time });
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'set-cookie': 'kapi_tx=; Max-Age=0; Path=/' });
  res.end(JSON.stringify(body, null, 2));
}

const port = Number(process.env.PORT || new URL(settings.redirectUri).port || 8080);
createServer((req, res) => {
  const path = new URL(req.url, settings.redirectUri).pathname;
  const handled = path === '/login' ? login(res) : path === callbackPath ? callback(req, res) : Promise.resolve(answer(res, 404, { error: 'try /login' }));
  handled.catch((err) => answer(res, 502, { error: err.error ?? err.message }));
}).listen(port, () => console.log(`open http://localhost:${port}/login`));
