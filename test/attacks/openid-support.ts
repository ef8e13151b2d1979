import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { expect } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { loginPage, type LoggedIn } from '../support/conformance-op.js';
import type { CrossOriginInstitution } from '../support/cross-origin-institution.js';
import { freePort } from '../support/kapi.js';

// Helpers of test/attacks/openid.test.ts: back-channel logout to institutions on private and loopback
// addresses (issue 26 point 3).

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const BYE = 'https://institution.example/bye';

/** An institution's endpoint on 127.0.0.1 (back-channel logout, keys) that answers as `answer` says. */
export interface LocalEndpoint {
  url: string;
  /** The form bodies received, in order. */
  received: URLSearchParams[];
  close(): Promise<void>;
}

export async function localEndpoint(
  answer: (n: number, res: ServerResponse) => void = (_n, res) => res.writeHead(200).end(),
  pathname = '/logout',
): Promise<LocalEndpoint> {
  const port = await freePort();
  const received: URLSearchParams[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push(new URLSearchParams(body));
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}${pathname}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Verifies a logout token as the institution must, and returns its claims. */
export async function verifiedLogoutToken(issuer: string, clientId: string, token: string): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: clientId });
  expect(protectedHeader.typ).toBe('logout+jwt');
  return payload;
}

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the claims a logout token carries, and no nonce. */
export function expectLogoutTokenClaims(claims: JWTPayload, expected: { issuer: string; clientId: string; sid: unknown; sub?: unknown }): void {
  expect(claims.iss).toBe(expected.issuer);
  expect(claims.aud).toBe(expected.clientId);
  expect(claims.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
  expect(typeof claims.sid).toBe('string');
  expect(claims.sid).toBe(expected.sid);
  if (expected.sub !== undefined) expect(claims.sub).toBe(expected.sub);
  expect(typeof claims.jti).toBe('string');
  expect((claims.jti ?? '').length).toBeGreaterThanOrEqual(16);
  expect(typeof claims.iat).toBe('number');
  expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(120);
  expect(claims).not.toHaveProperty('nonce');
}

const leavesKapi = (issuer: string) => (location: string) => !location.startsWith(issuer);

/** RP-initiated logout over HTTP: opens the end-session URL and confirms the logout question when asked. */
export async function rpLogout(issuer: string, rp: client.Configuration, session: LoggedIn, state = 'bye'): Promise<Page> {
  const end = client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token!, post_logout_redirect_uri: BYE, state });
  const first = await session.browser.go(end.href, {}, leavesKapi(issuer));
  if (!first.html.includes('logout-yes')) return first;
  return session.browser.submit(first, {}, { name: 'logout', value: 'yes' }, leavesKapi(issuer));
}

const decodeHtml = (v: string) => v.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** The href of the link with this id on a page. */
export function linkHref(page: Page, id: string): string {
  const href = new RegExp(`<a id="${id}" href="([^"]*)"`).exec(page.html)?.[1];
  if (href === undefined) throw new Error(`no link #${id} on ${page.url}:\n${page.html.slice(0, 1500)}`);
  return decodeHtml(href);
}

/** Signs in at the cross-origin institution over HTTP, through Kapı's hosted pages; returns its signed-in page. */
export async function signInThere(
  institution: CrossOriginInstitution,
  who: { nationalId: string; password: string },
  browser = new Browser(),
): Promise<{ browser: Browser; page: Page }> {
  const page = await loginPage(browser, institution.startUrl(), who);
  if (!page.html.includes('id="signed-in"')) throw new Error(`not signed in at the institution: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  return { browser, page };
}

/** Follows the institution's sign-out link and answers Kapı's logout question; returns the page after it. */
export async function signOutThere(browser: Browser, signedIn: Page, linkId = 'sign-out'): Promise<Page> {
  const first = await browser.go(linkHref(signedIn, linkId));
  if (!first.html.includes('logout-yes')) return first;
  return browser.submit(first, {}, { name: 'logout', value: 'yes' });
}

/** The sid of the institution's latest sign-in (from its ID token). */
export function latestSid(institution: CrossOriginInstitution): string {
  const last = [...institution.arrivals.values()].at(-1);
  return String(last?.idToken?.sid);
}
