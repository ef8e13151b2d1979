import { deriveKey, hmac } from '../../src/security/crypto.js';
import { currentUid } from '../account/security-support.js';
import type { Browser, Page } from '../support/browser.js';
import type { TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, type TestPki } from '../support/smart-card.js';

// Clerks at the registrar console for the outside tester's attacks (test/attacks/office-console-outside
// and findings-office-console): a real e-signature sign-in at `high` through /office/login, and posts
// with the console's own CSRF token for the browser's session.

export async function clerkSignIn(t: TestKapi, pki: TestPki, browser: Browser, nationalId: string, path = '/office/login?again=1'): Promise<Page> {
  let page = await browser.go(`${t.issuer}${path}`);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: 'e-signature' });
  const waiting = await browser.submit(page, { national_id: nationalId }, { name: 'submit', value: 'start' });
  const p = (await t.kapi.services.registry.lookup(nationalId))!;
  const card = await softwareCard(pki.ca, { nationalId, givenName: p.givenName, familyName: p.familyName, profile: 'e-signature' });
  const signed = await signerPost(t.issuer, codeOn(waiting).replace('-', ''), card);
  if (signed.status !== 200) throw new Error(`signer post refused: ${JSON.stringify(signed)}`);
  return browser.go(waiting.url.replace(/\/method\/.*$/, ''));
}

export async function officeCsrf(t: TestKapi, browser: Browser): Promise<string> {
  return hmac(deriveKey(t.kapi.config.masterKey, 'office-csrf'), await currentUid(t, browser));
}

export async function officePost(
  t: TestKapi,
  browser: Browser,
  path: string,
  form: Record<string, string>,
): Promise<{ status: number; html: string; location: string | null }> {
  const res = await browser.request(`${t.issuer}${path}`, { form: { _csrf: await officeCsrf(t, browser), ...form } });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

export async function officeGet(t: TestKapi, browser: Browser, path: string): Promise<{ status: number; html: string; location: string | null }> {
  const res = await browser.request(`${t.issuer}${path}`);
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

export const gateOf = (html: string) => /data-problem="([a-z_]+)"/.exec(html)?.[1];
