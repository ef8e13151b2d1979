import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { dpopProof } from './client.js';

// The app's sign-in, as the e-Devlet app does it: authorization code + PKCE as the public client
// `kapi-device-app`, the code exchanged with a DPoP proof, so the access token is bound to a key that
// stays in the local file. Plain HTTP, no server code.

export const APP_CLIENT_ID = 'kapi-device-app';

export interface AppLogin {
  /** Where the person signs in (open it in a browser). */
  url: string;
  /** Exchanges the address the browser ended at (…/device/app-callback?code=…) for a DPoP-bound token. */
  finish(callbackUrl: string): Promise<{ accessToken: string; dpopPrivateJwk: JWK; refreshToken?: string }>;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

export async function startAppLogin(server: string): Promise<AppLogin> {
  const base = server.replace(/\/$/, '');
  const res = await fetch(`${base}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`${base} does not answer OpenID discovery (${res.status})`);
  const meta = (await res.json()) as Discovery;
  const redirectUri = `${meta.issuer}/device/app-callback`;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: APP_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const dpopPrivateJwk = await exportJWK(privateKey);

  return {
    url: url.href,
    async finish(callbackUrl) {
      const back = new URL(callbackUrl.trim());
      if (back.searchParams.get('state') !== state) throw new Error('the address is not the answer to this sign-in (state differs)');
      const iss = back.searchParams.get('iss');
      if (iss && iss !== meta.issuer) throw new Error('the answer comes from another issuer');
      const error = back.searchParams.get('error');
      if (error) throw new Error(`sign-in refused: ${error} ${back.searchParams.get('error_description') ?? ''}`.trim());
      const code = back.searchParams.get('code');
      if (!code) throw new Error('the address carries no code');
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: APP_CLIENT_ID,
        code_verifier: verifier,
      });
      let nonce: string | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const proof = await dpopProof(dpopPrivateJwk, 'POST', meta.token_endpoint, undefined, nonce);
        const answer = await fetch(meta.token_endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
          body,
        });
        const json = (await answer.json()) as Record<string, unknown>;
        if (answer.ok) {
          if (json.token_type !== 'DPoP') throw new Error('the token is not DPoP-bound');
          return { accessToken: String(json.access_token), dpopPrivateJwk, ...(json.refresh_token ? { refreshToken: String(json.refresh_token) } : {}) };
        }
        // RFC 9449 §8: the server may ask for a nonce first.
        if (json.error === 'use_dpop_nonce' && answer.headers.get('dpop-nonce') && !nonce) {
          nonce = answer.headers.get('dpop-nonce')!;
          continue;
        }
        throw new Error(`token request refused: ${String(json.error)} ${String(json.error_description ?? '')}`.trim());
      }
      throw new Error('token request refused');
    },
  };
}
