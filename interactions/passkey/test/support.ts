import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { passkeyModule } from '../index.js';
import { type Browser, decode, type Page } from '../../../test/support/browser.js';
import { atCallback } from '../../../test/support/institution.js';
import type { TestKapi } from '../../../test/support/kapi.js';
import type { Ceremony, SoftAuthenticator } from './soft-authenticator.js';

// The citizen's side of the passkey tests over HTTP: a strong sign-in to the account pages, a passkey
// added on the "Passkeys" page, a sign-in with it; the software authenticator plays the device.

export const PAGE = '/account/passkeys';

export function smsCodeOf(t: TestKapi, phone: string): string {
  const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest(phone)?.text ?? '')?.[1];
  if (!code) throw new Error(`no code in the latest SMS to ${phone}`);
  return code;
}

/** The origin Kapı's pages are on (the origin a real browser would put in the client data). */
export const originOf = (t: TestKapi) => t.kapi.exportsOf(passkeyModule).rp.origin;

/** A password-only sign-in to the account pages (`low`), landing on `next`. */
export async function weakSession(t: TestKapi, browser: Browser, person: { nationalId: string; password: string }, next = PAGE): Promise<Page> {
  let page = await browser.go(`${t.issuer}${next}`);
  if (page.html.includes('name="national_id"'))
    page = await browser.submit(page, { national_id: person.nationalId, password: person.password }, { name: 'submit', value: 'login' });
  return page;
}

/** A sign-in that may add a passkey: password and the SMS code (`substantial`), just now. */
export async function strongSession(
  t: TestKapi,
  browser: Browser,
  person: { nationalId: string; password: string; phone: string },
  next = PAGE,
): Promise<Page> {
  let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(next)}&acr=substantial&again=1`);
  page = await browser.submit(page, { national_id: person.nationalId, password: person.password }, { name: 'submit', value: 'login' });
  if (page.html.includes('data-method="sms"')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' });
  return browser.submit(page, { code: smsCodeOf(t, person.phone) }, { name: 'action', value: 'verify' });
}

/** The WebAuthn options a page carries for its script (data-options). */
export function optionsOn<T = PublicKeyCredentialRequestOptionsJSON>(page: Page): T {
  const raw = /data-options="([^"]*)"/.exec(page.html)?.[1];
  if (!raw) throw new Error(`no passkey options on ${page.url} (${page.status}):\n${page.html.slice(0, 1500)}`);
  return JSON.parse(decode(raw.replace(/&#34;/g, '"'))) as T;
}

/** "Add a passkey" on the account page: the name, then the authenticator's answer posted by the page's script. */
export async function addPasskey(
  t: TestKapi,
  browser: Browser,
  authenticator: SoftAuthenticator,
  name: string,
  ceremony: Partial<Ceremony> = {},
): Promise<Page> {
  const list = await browser.go(`${t.issuer}${PAGE}`);
  const create = await browser.submit(list, { name }, { name: 'action', value: 'add' });
  const options = optionsOn<PublicKeyCredentialCreationOptionsJSON>(create);
  const response = authenticator.create(options, { origin: originOf(t), ...ceremony });
  return postFromScript(browser, create, { response: JSON.stringify(response) });
}

/** What passkey.js does after the ceremony: fills the form's hidden field and submits it. */
export async function postFromScript(browser: Browser, page: Page, fields: Record<string, string>, stopAt?: (l: string) => boolean): Promise<Page> {
  const form = /<form[^>]*id="passkey-form"[^>]*>/.exec(page.html)?.[0];
  const action = form && /action="([^"]*)"/.exec(form)?.[1];
  const csrf = /name="_csrf" value="([^"]*)"/.exec(page.html)?.[1];
  if (!action || !csrf) throw new Error(`no passkey form on ${page.url}`);
  return browser.go(new URL(decode(action), page.url).href, { form: { _csrf: decode(csrf), response: '', error: '', ...fields } }, stopAt);
}

/** From an institution's authorization request to the passkey page (the chooser's "Passkey"). */
export async function passkeyPage(browser: Browser, start: string): Promise<Page> {
  const chooser = await browser.go(start, {}, atCallback);
  return browser.submit(chooser, {}, { name: 'method', value: 'passkey' }, atCallback);
}

/** The passkey page answered by the authenticator; then consent when asked. */
export async function answerWithPasskey(
  t: TestKapi,
  browser: Browser,
  page: Page,
  authenticator: SoftAuthenticator,
  ceremony: Partial<Ceremony> = {},
): Promise<{ page: Page; response: string }> {
  const response = JSON.stringify(authenticator.get(optionsOn(page), { origin: originOf(t), ...ceremony }));
  let next = await postFromScript(browser, page, { response }, atCallback);
  if (!atCallback(next.url) && next.html.includes('name="decision"')) next = await browser.submit(next, {}, { name: 'decision', value: 'allow' }, atCallback);
  return { page: next, response };
}
