import { createServer, type Server } from 'node:http';
import type * as client from 'openid-client';
import { Browser, type Page } from './browser.js';
import { freePort, type TestKapi } from './kapi.js';
import { atCallback, authRequest, CALLBACK, exchange, type AuthRequest } from './institution.js';

// Helpers for the conformance pack (test/conformance/): the OpenID Foundation test plans' modules replayed
// with openid-client as the relying party. Each helper does one step the suite's modules share.

/**
 * Moves the clock of this test process forward without waiting: oidc-provider, openid-client and the
 * memory state store all read `Date.now()` of the jest environment, so oidc-provider sees the time pass
 * (auth_time ages for max_age, a used code is 30 s old). Redis keeps its own clock: entries only age
 * there in real time, which is what the code-reuse modules need (the used code must still be known).
 */
export class ShiftedClock {
  readonly #real = Date.now;
  #offsetMs = 0;
  install(): void {
    const real = this.#real;
    Date.now = () => real() + this.#offsetMs;
  }
  advance(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }
  uninstall(): void {
    Date.now = this.#real;
    this.#offsetMs = 0;
  }
}

export interface LoggedIn {
  browser: Browser;
  req: AuthRequest;
  callback: string;
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
}

/** The conformance suite's "normal authorization flow": hosted login (and consent), then the code exchange. */
export async function loginAndExchange(
  rp: client.Configuration,
  who: { nationalId: string; password: string },
  params: Record<string, string> = {},
  browser = new Browser(),
): Promise<LoggedIn> {
  const req = await authRequest(rp, params);
  const page = await loginPage(browser, req.url.href, who);
  if (!atCallback(page.url)) throw new Error(`the login did not reach the institution: ${page.status} ${page.url}\n${page.html.slice(0, 1500)}`);
  const tokens = await exchange(rp, req, page.url);
  return { browser, req, callback: page.url, tokens };
}

/** Fills the password form and accepts the consent page when shown (same names automation relies on). */
export async function loginPage(browser: Browser, start: string, who: { nationalId: string; password: string }): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (atCallback(page.url)) return page;
  // With several methods on offer the chooser comes first.
  if (!page.html.includes('name="national_id"') && page.html.includes('data-method="password"'))
    page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
  page = await browser.submit(page, { national_id: who.nationalId, password: who.password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return page;
}

/** The query of the institution's callback (code, state, iss or error). */
export function callbackParams(url: string): URLSearchParams {
  if (!atCallback(url)) throw new Error(`not at the institution's callback: ${url}`);
  return new URL(url).searchParams;
}

/** True when the page is the password form (the person is asked to log in again). */
export const isLoginForm = (page: Page) => page.html.includes('name="national_id"') && page.html.includes('name="password"');

/** A back-channel logout receiver on a free loopback port: collects every request it gets. */
export async function backchannelReceiver(): Promise<{ url: string; requests: { contentType: string; body: URLSearchParams }[]; close(): Promise<void> }> {
  const port = await freePort();
  const requests: { contentType: string; body: URLSearchParams }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ contentType: String(req.headers['content-type'] ?? ''), body: new URLSearchParams(body) });
      res.statusCode = 200;
      res.setHeader('cache-control', 'no-store');
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/backchannel_logout`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export { CALLBACK };
export type { TestKapi };
