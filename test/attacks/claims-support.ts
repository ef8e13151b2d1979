import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from '../support/browser.js';
import { atCallback, type AuthRequest } from '../support/institution.js';
import type { TestKapi } from '../support/kapi.js';

// Helpers for test/attacks/claims.test.ts: an institution's sign-in seen from every place a claim can
// leave Kapı (ID token, userinfo, introspection) and from the citizen's "who received my data" record.

export interface Signed {
  /** The consent page as the person saw it ('' when none was shown). */
  consent: string;
  callback: string;
}

/** Password sign-in; the consent page, when shown, is kept for inspection and accepted. */
export async function signInKeepingConsent(browser: Browser, start: string, who: { nationalId: string; password: string }): Promise<Signed> {
  let page: Page = await browser.go(start, {}, atCallback);
  if (!atCallback(page.url) && !page.html.includes('name="decision"')) {
    if (!page.html.includes('name="national_id"')) throw new Error(`expected the password form, got ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
    page = await browser.submit(page, { national_id: who.nationalId, password: who.password }, { name: 'submit', value: 'login' }, atCallback);
  }
  let consent = '';
  if (!atCallback(page.url) && page.html.includes('name="decision"')) {
    consent = page.html;
    page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  }
  if (!atCallback(page.url)) throw new Error(`the sign-in did not reach the institution: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return { consent, callback: page.url };
}

/** The claims the consent page lists (its `data-claim` items). */
export function consentListed(html: string): string[] {
  return [...html.matchAll(/data-claim="([^"]+)"/g)].map((m) => m[1]!);
}

export interface Seen {
  idToken: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  introspection: Record<string, unknown>;
  /** Claim names written to claim_releases for this institution (every channel). */
  recorded: string[];
}

/** Everything the institution received after the code exchange, and what the citizen's record says. */
export async function whatLeft(t: TestKapi, rp: client.Configuration, req: AuthRequest, callback: string, accountId: string, clientId: string): Promise<Seen> {
  const tokens = await client.authorizationCodeGrant(rp, new URL(callback), {
    pkceCodeVerifier: req.verifier,
    expectedState: req.state,
    expectedNonce: req.nonce,
    idTokenExpected: true,
  });
  const idToken = tokens.claims()! as Record<string, unknown>;
  const userinfo = (await client.fetchUserInfo(rp, tokens.access_token, String(idToken.sub))) as Record<string, unknown>;
  const introspection = (await client.tokenIntrospection(rp, tokens.access_token)) as Record<string, unknown>;
  const rows = (await t.kapi.services.db('claim_releases').where({ account_id: accountId, client_id: clientId })) as { claims: string[] }[];
  return { idToken, userinfo, introspection, recorded: [...new Set(rows.flatMap((r) => r.claims))] };
}

/** An institution key pair for private_key_jwt and signed request objects. */
export async function institutionKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `claims-${Math.random().toString(36).slice(2)}`;
  return {
    privateKey,
    kid,
    auth: client.PrivateKeyJwt({ key: privateKey, kid }),
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] },
  };
}
