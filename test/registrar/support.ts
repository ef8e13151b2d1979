import { randomUUID } from 'node:crypto';
import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import type { TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, type TestPki } from '../support/smart-card.js';
import { registrarAudience } from '../../src/web/registrar-api/token.js';

// A registrar console as a test drives it: an OIDC client of Kapı (public subject identifiers), a
// smart-card sign-in at acr high with a software card from the test CA, and the access token for the
// registrar API that comes out of it.

export interface Console {
  rp: client.Configuration;
  clientId: string;
  /** Where the console receives the code (the test institution's callback unless said otherwise). */
  redirectUri?: string;
}

/** Registers a console client; `allowed` puts it on the registrar API's list of console clients. */
export async function registerConsole(
  t: TestKapi,
  options: { allowed?: boolean; minAcr?: 'high'; subjectType?: 'public' | 'pairwise' } = {},
): Promise<Console> {
  const metadata = await registerInstitution(t, {
    name: 'Registrar console',
    authMethod: 'none',
    scopes: ['openid'],
    subjectType: options.subjectType ?? 'public',
    ...(options.minAcr ? { minAcr: options.minAcr } : {}),
  });
  const clientId = metadata.client_id as string;
  if (options.allowed !== false) await t.kapi.services.db('registrar_console_clients').insert({ client_id: clientId });
  return { rp: await relyingParty(t, metadata), clientId };
}

const NAMES: Record<string, { givenName: string; familyName: string }> = {
  '10000000146': { givenName: 'Ayşe', familyName: 'Yılmaz' },
  '12345678950': { givenName: 'Mehmet Ali', familyName: 'Öztürk' },
};

/** Signs in with e-signature (acr high) through the console and returns the registrar API token. */
export async function smartCardToken(t: TestKapi, pki: TestPki, console: Console, nationalId: string): Promise<string> {
  const card = await softwareCard(pki.ca, { nationalId, ...NAMES[nationalId]!, profile: 'e-signature' });
  const browser = new Browser();
  const redirect = console.redirectUri;
  const done = redirect ? (l: string) => l.startsWith(redirect) : atCallback;
  const req = await authRequest(console.rp, {
    scope: 'openid registrar',
    resource: registrarAudience(t.issuer),
    acr_values: 'high',
    ...(redirect ? { redirect_uri: redirect } : {}),
  });
  const waiting = await startSmartCard(browser, req.url.href, 'e-signature', nationalId, done);
  const posted = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card);
  if (posted.status !== 200) throw new Error(`signer post refused: ${JSON.stringify(posted)}`);
  let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, done);
  if (!done(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, done);
  if (!done(page.url)) throw new Error(`expected the callback, got ${page.status} ${page.url}\n${page.html.slice(0, 800)}`);
  return (await exchange(console.rp, req, page.url)).access_token;
}

/** Identity number + password, choosing the password method first when the chooser is shown. Stops at
 *  whatever follows the password form (the forced change, consent, the callback, a refusal). */
export async function passwordSignIn(browser: Browser, start: string, nationalId: string, password: string): Promise<Page> {
  let page = await browser.go(start, {}, atCallback);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
  return browser.submit(page, { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
}

/** The same, with a password sign-in (acr low). */
export async function passwordToken(t: TestKapi, console: Console, nationalId: string, password: string): Promise<string> {
  const req = await authRequest(console.rp, { scope: 'openid registrar', resource: registrarAudience(t.issuer) });
  const browser = new Browser();
  let page = await passwordSignIn(browser, req.url.href, nationalId, password);
  if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
  if (!atCallback(page.url)) throw new Error(`expected the callback, got ${page.status} ${page.url}\n${page.html.slice(0, 800)}`);
  return (await exchange(console.rp, req, page.url)).access_token;
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * One call of the registrar API. Issuances and cancellations carry a new Idempotency-Key each, as a
 * console sends them, unless the caller gives one (an empty one: none is sent).
 */
export async function api(
  t: TestKapi,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const counter = method === 'POST' && (path === '/issuances' || path === '/cancellations');
  const { 'idempotency-key': given, ...rest } = headers;
  const key = given ?? (counter ? `"${randomUUID()}"` : undefined);
  const res = await fetch(`${t.issuer}/registrar/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
      ...rest,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}
