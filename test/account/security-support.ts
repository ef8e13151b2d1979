import { createServer, type Server } from 'node:http';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import type { Browser, Page } from '../support/browser.js';
import { freePort, type TestKapi } from '../support/kapi.js';
import { atCallback } from '../support/institution.js';
import { codeOn, signerPost, softwareCard, type TestPki } from '../support/smart-card.js';

// Shared by the security, history and sessions tests of the account pages: signing in to the account
// pages with a password or with a real e-signature login (test CA, software card over the signer API),
// and a back-channel logout receiver.

export const AYSE = { ...DEMO_CITIZENS[0], givenName: 'Ayşe', familyName: 'Yılmaz' };
export const GULSEN = DEMO_CITIZENS[2];

/** Opens an account page; when sent to sign in, signs in with identity number and password. */
export async function openWithPassword(
  t: TestKapi,
  browser: Browser,
  path = '/account',
  citizen: { nationalId: string; password: string } = AYSE,
): Promise<Page> {
  let page = await browser.go(`${t.issuer}${path}`);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
  if (page.html.includes('name="national_id"')) {
    page = await browser.submit(page, { national_id: citizen.nationalId, password: citizen.password }, { name: 'submit', value: 'login' });
  }
  return page;
}

/**
 * Signs in to the account pages with e-signature ("sign in again", as the page's link does): the
 * chooser, the identity number, the waiting page, the signer's post with a card from the test CA,
 * and the browser's own return to the interaction.
 */
export async function signInWithESignature(
  t: TestKapi,
  pki: TestPki,
  browser: Browser,
  next: string,
  person: { nationalId: string; givenName: string; familyName: string } = AYSE,
  method: 'e-signature' | 'id-card' = 'e-signature',
): Promise<Page> {
  let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(next)}&again=1`);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: method });
  const waiting = await browser.submit(page, { national_id: person.nationalId }, { name: 'submit', value: 'start' });
  const card = await softwareCard(pki.ca, { ...person, profile: method });
  const signed = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card);
  if (signed.status !== 200) throw new Error(`signer post refused: ${JSON.stringify(signed)}`);
  return browser.go(waiting.url.replace(/\/method\/.*$/, ''));
}

/** Signs in at an institution with the password (choosing it on the chooser when several methods exist), consenting when asked. */
export async function institutionSignIn(browser: Browser, start: string, citizen: { nationalId: string; password: string } = AYSE): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (atCallback(page.url)) return page;
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
  if (page.html.includes('name="national_id"'))
    page = await browser.submit(page, { national_id: citizen.nationalId, password: citizen.password }, { name: 'submit', value: 'login' }, atCallback);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  return page;
}

/** This browser's session uid, as the sessions page marks it. */
export async function currentUid(t: TestKapi, browser: Browser): Promise<string> {
  const page = await browser.go(`${t.issuer}/account/sessions`);
  const m = /data-uid="([^"]+)" data-current="true"/.exec(page.html);
  if (!m) throw new Error(`no current session on ${page.url}`);
  return m[1]!;
}

/** The CSRF token of the account pages on a page. */
export function csrfOf(page: Page): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page.html);
  if (!m) throw new Error(`no CSRF token on ${page.url}`);
  return m[1]!;
}

export interface LogoutReceiver {
  url: string;
  tokens: string[];
  close(): Promise<void>;
}

/** A local HTTP endpoint that collects back-channel logout tokens. */
export async function logoutReceiver(): Promise<LogoutReceiver> {
  const port = await freePort();
  const tokens: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.statusCode = 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/logout`, tokens, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
