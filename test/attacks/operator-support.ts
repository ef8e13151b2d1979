import { operatorServices } from '../../src/operators/index.js';
import type { OperatorRole } from '../../src/operators/roles.js';
import { Sealer } from '../../src/security/crypto.js';
import { sealSession, SESSION_COOKIE, type ConsoleSession } from '../../src/web/console/session.js';
import type { Browser, Page } from '../support/browser.js';
import type { TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, type TestPki } from '../support/smart-card.js';
import { accountOf } from './office-support.js';

// Operators of the console on the admin listener (issue 23 point 2). Sign-ins are real: e-signature with
// a test card through Kapı's login and the console's own client. The variants a sign-in cannot produce
// on demand (the same operator at `substantial`, or proved 16 minutes ago) are console sessions as the
// console itself seals them, copied from a real one.

export function consoleUrl(t: TestKapi): string {
  const admin = t.kapi.admin();
  if (!admin) throw new Error('Kapı runs without an admin listener (KAPI_ADMIN_PORT)');
  return `http://127.0.0.1:${admin.port}`;
}

/** Gives the person (an account made from the registry if needed) an operator role, as `kapi operators grant` does. */
export async function grantOperator(t: TestKapi, nationalId: string, role: OperatorRole): Promise<string> {
  const accountId = await accountOf(t, nationalId);
  await operatorServices(t.kapi.services).roles.grant(accountId, role, 'test');
  return accountId;
}

/** Signs in at the console at `high` with e-signature, as its sign-in link does; returns the page reached. */
export async function consoleSignIn(t: TestKapi, pki: TestPki, browser: Browser, nationalId: string, path = '/console/login?again=1'): Promise<Page> {
  let page = await browser.go(`${consoleUrl(t)}${path}`);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: 'e-signature' });
  const waiting = await browser.submit(page, { national_id: nationalId }, { name: 'submit', value: 'start' });
  const p = (await t.kapi.services.registry.lookup(nationalId))!;
  const card = await softwareCard(pki.ca, { nationalId, givenName: p.givenName, familyName: p.familyName, profile: 'e-signature' });
  const signed = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card);
  if (signed.status !== 200) throw new Error(`signer post refused: ${JSON.stringify(signed)}`);
  return browser.go(waiting.url.replace(/\/method\/.*$/, ''));
}

/** The console session a browser holds. */
export function sessionIn(t: TestKapi, browser: Browser): ConsoleSession {
  const sealed = browser.cookies.get(new URL(consoleUrl(t)).host)?.get(SESSION_COOKIE);
  if (!sealed) throw new Error('no console session in this browser');
  return JSON.parse(new Sealer(t.kapi.config.masterKey).open(sealed, 'console-session')) as ConsoleSession;
}

/** Puts a console session into a browser (a copy of a real one, changed as `change` says). */
export function holdSession(t: TestKapi, browser: Browser, session: ConsoleSession): void {
  const host = new URL(consoleUrl(t)).host;
  const jar = browser.cookies.get(host) ?? new Map<string, string>();
  jar.set(SESSION_COOKIE, sealSession({ config: t.kapi.config }, session));
  browser.cookies.set(host, jar);
}
