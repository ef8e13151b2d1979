import { Browser, type Page } from '../support/browser.js';
import type { TestKapi } from '../support/kapi.js';
import { citizen } from '../../interactions/second-factor/test/support.js';

// Shared by the account-keeps suites (issue 20 points 4 and 5): people of the registry fixtures with a
// password and a phone, sign-ins to the account pages at the levels of the matrix, the login history's
// entries and its "This wasn't me" button.

export const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

export interface Person {
  nationalId: string;
  password: string;
  phone: string;
  givenName: string;
  familyName: string;
}

/** A citizen of the registry fixtures as the test wants her: her password, her phone (from the registry), every method open. */
export async function person(t: TestKapi, nationalId: string, password: string, phone: string): Promise<Person & { accountId: string }> {
  const made = await citizen(t, nationalId, password, phone, 'registry');
  const record = (await t.kapi.services.registry.lookup(nationalId))!;
  const account = (await t.kapi.services.accounts.findByNationalId(nationalId))!;
  await t.kapi.services.db('accounts').where({ id: account.id }).update({ password_login_enabled: true, bank_login_enabled: true, two_factor_enabled: false });
  return { ...made, givenName: record.givenName, familyName: record.familyName, accountId: account.id };
}

/** A sign-in to the account pages with the password alone (acr low); returns the page at `next`. */
export async function passwordSession(t: TestKapi, browser: Browser, who: { nationalId: string; password: string }, next = '/account/history'): Promise<Page> {
  let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(next)}&again=1`);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
  page = await browser.submit(page, { national_id: who.nationalId, password: who.password }, { name: 'submit', value: 'login' });
  return afterLogout(browser, page);
}

/** Password and the SMS code (acr substantial); returns the page at `next`. */
export async function substantialSession(
  t: TestKapi,
  browser: Browser,
  who: { nationalId: string; password: string; phone: string },
  next = '/account/history',
): Promise<Page> {
  let page = await browser.go(`${t.issuer}/account/login?next=${encodeURIComponent(next)}&acr=substantial&again=1`);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' });
  page = await browser.submit(page, { national_id: who.nationalId, password: who.password }, { name: 'submit', value: 'login' });
  if (page.html.includes('data-method="sms"')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' });
  const sms = t.kapi.messaging.smsOutbox!.list(who.phone).filter((m) => m.purpose === 'second_factor')[0];
  const code = /\b(\d{6})\b/.exec(sms?.text ?? '')?.[1];
  if (!code) throw new Error(`no second-factor code for ${who.phone}: ${page.url}\n${page.html.slice(0, 1500)}`);
  return afterLogout(browser, await browser.submit(page, { code }, { name: 'action', value: 'verify' }));
}

/**
 * oidc-provider ends the session of another person before a new sign-in takes the browser over: it
 * answers with a page that posts itself to its logout endpoint (a real browser runs its script). The
 * test browser posts it as that script would.
 */
export async function afterLogout(browser: Browser, page: Page): Promise<Page> {
  if (page.status === 200 && page.html.includes('<title>Submitting Callback</title>')) return browser.submit(page, {});
  return page;
}

/** Makes this browser's sign-in `seconds` older (the session record's own login time). */
export async function ageSignIn(t: TestKapi, browser: Browser, seconds: number): Promise<void> {
  const jti = browser.cookies.get(new URL(t.issuer).host)?.get('kapi_session');
  const model = new t.kapi.services.adapter('Session');
  const payload = (await model.find(jti!))!;
  await model.upsert(jti!, { ...payload, loginTs: (payload.loginTs as number) - seconds }, 3600);
}

/** The id of the latest sign-in of the person that matches (the history's `data-id`). */
export async function entryId(
  t: TestKapi,
  accountId: string,
  match: { userAgent?: string; method?: string; result?: string; clientId?: string },
): Promise<string> {
  let query = t.kapi.services.db('sign_ins').where({ account_id: accountId, result: match.result ?? 'success' });
  if (match.userAgent) query = query.andWhere({ user_agent: match.userAgent });
  if (match.method) query = query.andWhere({ method: match.method });
  if (match.clientId) query = query.andWhere({ client_id: match.clientId });
  const row = (await query.orderBy('id', 'desc').first('id')) as { id: string | number } | undefined;
  if (!row) throw new Error(`no sign-in like ${JSON.stringify(match)}`);
  return String(row.id);
}

/** "This wasn't me" on one entry of the history page, then "Yes, this wasn't me" on the confirmation. */
export async function pressNotMe(browser: Browser, history: Page, id: string): Promise<{ confirmation: Page; done: Page }> {
  const confirmation = await browser.submit(history, {}, { name: 'entry', value: id });
  if (confirmation.status !== 200)
    throw new Error(`the confirmation did not open: ${confirmation.status} ${confirmation.url}\n${confirmation.html.slice(0, 1500)}`);
  const done = await browser.submit(confirmation, {}, { name: 'confirm', value: 'yes' });
  return { confirmation, done };
}

/** The sessions of the person the index still counts as active. */
export async function activeSessions(t: TestKapi, accountId: string): Promise<number> {
  return (await t.kapi.services.sessions.listActive(accountId)).length;
}

export function newBrowser(userAgent?: string): Browser {
  return new Browser(userAgent);
}
