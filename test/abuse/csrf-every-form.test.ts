import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type Router from '@koa/router';
import type * as client from 'openid-client';
import { translate } from '../../src/i18n/index.js';
import '../../src/web/messages.js';
import { AYSE, csrfOf, institutionSignIn, openWithPassword, signInWithESignature } from '../account/security-support.js';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { atPasswordForm, rawPost } from './support.js';
import { OFFICE_FORMS } from '../support/office-forms.js';

// Issue 9: CSRF on EVERY state-changing form. The routes are read from the real @koa/router objects
// Kapı mounted on its Koa app (each `router.routes()` middleware carries its router), so a form added
// later is found here: it must be either tested below or allow-listed with a reason, or this fails.

jest.setTimeout(180_000);

const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Machine endpoints: no browser form posts there, and none of them reads a cookie, so a cross-site
 * form cannot ride on a person's session. Each one is authorised by something only its caller holds.
 */
const MACHINE_ROUTES: Record<string, string> = {
  'POST /smart-card/v1/transactions/:code/signature': 'signer app API (JSON): authorised by the one-time transaction code and the card signature, no cookies',
  'POST /smart-card/v1/transactions/:code/failure': 'signer app API (JSON): authorised by the one-time transaction code, no cookies',
  'POST /device/v1/devices': 'device API (JSON): authorised by a DPoP-bound access token of the app, no cookies',
  'DELETE /device/v1/devices/current': 'device API: Authorization: Device <JWS signed with the device key>, no cookies',
  'POST /device/v1/approvals/:id/answer': 'device API (JSON): Authorization: Device <JWS signed with the device key>, no cookies',
  'POST /device/v1/scan': 'device API (JSON): Authorization: Device <JWS signed with the device key>, no cookies',
  'POST /registrar/v1/people/lookup': 'registrar API (JSON only): Authorization: Bearer access token of the registrar console, no cookies',
  'POST /registrar/v1/issuances': 'registrar API (JSON only): Authorization: Bearer access token of the registrar console, no cookies',
  'POST /registrar/v1/cancellations': 'registrar API (JSON only): Authorization: Bearer access token of the registrar console, no cookies',
  'POST /registrar/v1/history': 'registrar API (JSON only): Authorization: Bearer access token of the registrar console, no cookies',
  'POST /registrar/v1/{*rest}': 'registrar API catch-all: answers 404 JSON for every method, changes nothing',
  'PUT /registrar/v1/{*rest}': 'registrar API catch-all: answers 404 JSON for every method, changes nothing',
  'PATCH /registrar/v1/{*rest}': 'registrar API catch-all: answers 404 JSON for every method, changes nothing',
  'DELETE /registrar/v1/{*rest}': 'registrar API catch-all: answers 404 JSON for every method, changes nothing',
};

// Not in a Kapı router, hence not enumerated here: oidc-provider's own endpoints. /token, /token/revocation,
// /token/introspection, /request (PAR) are client-authenticated machine endpoints; its one browser form,
// the logout confirmation (/session/end/confirm), carries oidc-provider's own xsrf token and is checked in
// web-protections.test.ts ("the logout confirmation refuses a post without its xsrf token").

/** Where a browser form route acts: the account pages (signed in), the password reset flow, or a login interaction. */
type Reach = 'account' | 'reset' | 'interaction';

/** Every browser form route, with the fields that get it past its own input checks to the CSRF check. */
const BROWSER_FORMS: Record<string, { reach: Reach; fields?: Record<string, string> }> = {
  'POST /account/logout': { reach: 'account' },
  'POST /account/password': {
    reach: 'account',
    fields: { current_password: AYSE.password, new_password: 'Yeni-Parola-2026!x', new_password_confirm: 'Yeni-Parola-2026!x' },
  },
  'POST /account/security/password-login': { reach: 'account', fields: { action: 'close' } },
  'POST /account/security/bank-login': { reach: 'account', fields: { action: 'block' } },
  'POST /account/contacts/phone': { reach: 'account', fields: { phone: '05329998877' } },
  'POST /account/contacts/email': { reach: 'account', fields: { email: 'attacker@example.com' } },
  'POST /account/contacts/phone/send': { reach: 'account' },
  'POST /account/contacts/email/send': { reach: 'account' },
  'POST /account/contacts/phone/verify': { reach: 'account', fields: { code: '123456' } },
  'POST /account/contacts/email/verify': { reach: 'account', fields: { code: '123456' } },
  'POST /account/contacts/phone/cancel': { reach: 'account' },
  'POST /account/contacts/email/cancel': { reach: 'account' },
  'POST /account/contacts/reset-method': { reach: 'account', fields: { method: 'phone_and_email' } },
  'POST /account/contacts/refresh': { reach: 'account' },
  'POST /account/sessions/end': { reach: 'account' },
  'POST /account/sessions/end-all': { reach: 'account' },
  'POST /account/history/institutions/withdraw': { reach: 'account' },
  'POST /account/history/not-me': { reach: 'account', fields: { entry: '1', confirm: 'yes' } },
  'POST /account/second-factors/two-factor': { reach: 'account', fields: { action: 'enable' } },
  'POST /account/second-factors/totp': { reach: 'account' },
  'POST /account/second-factors/totp/activate': { reach: 'account', fields: { code: '123456' } },
  'POST /account/second-factors/totp/remove': { reach: 'account' },
  'POST /account/second-factors/devices/:id/delete': { reach: 'account' },
  'POST /account/passkeys/new': { reach: 'account', fields: { name: 'Saldırganın anahtarı' } },
  'POST /account/passkeys/register': { reach: 'account', fields: { response: '{}' } },
  'POST /account/passkeys/:id/rename': { reach: 'account', fields: { name: 'Yeni ad' } },
  'POST /account/passkeys/:id/remove': { reach: 'account' },
  'POST /account/reset': {
    reach: 'reset',
    fields: { national_id: AYSE.nationalId, birthdate: '1990-01-01', document_serial: 'A12B34567', phone: '05320000000' },
  },
  'POST /account/reset/code': { reach: 'reset', fields: { sms_code: '123456' } },
  'POST /account/reset/password': { reach: 'reset', fields: { new_password: 'Yeni-Parola-2026!x', new_password_confirm: 'Yeni-Parola-2026!x' } },
  'POST /interaction/:uid/method/:method': { reach: 'interaction' },
  'POST /interaction/:uid/method/:method/continue': {
    reach: 'interaction',
    fields: { national_id: AYSE.nationalId, password: AYSE.password, submit: 'login' },
  },
  'POST /interaction/:uid/consent': { reach: 'interaction', fields: { decision: 'allow' } },
  'POST /interaction/:uid/abort': { reach: 'interaction', fields: { reason: 'cancel' } },
};

/**
 * GET links that change a login flow: they carry the flow's token in the query (?_csrf=), because they
 * are links, not forms. GETs cannot be told apart from pages by their method, so these are named here.
 */
const STATE_CHANGING_LINKS = ['GET /interaction/:uid/banking-other', 'GET /interaction/:uid/banking/:bank'];

/**
 * Kapı's middleware outside any router (metrics, security headers, error pages, static files, the "/"
 * redirect, POST /auth, oidc-provider; the machine endpoints are handed to oidc-provider before this app,
 * by src/web/machine-front.ts). A new one could answer a POST unseen by the router enumeration: when this
 * number changes, check the new middleware for CSRF and update it. POST /auth (src/web/authorization-post.ts)
 * is the authorization request, cross-site by design (Core §3.1.2.1): it does what the same GET does and,
 * with SameSite=Lax cookies, arrives without the person's session.
 */
const MIDDLEWARE_OUTSIDE_ROUTERS = 8; // the 8th: a suspended institution's sign-in page (GET /auth only, changes nothing)

/** "METHOD /path" of every state-changing route of every router mounted on Kapı's Koa app. */
function mountedRoutes(t: TestKapi): { routes: string[]; gets: string[]; routers: number; outside: number } {
  const routes = new Set<string>();
  const gets = new Set<string>();
  let routers = 0;
  let outside = 0;
  for (const middleware of t.kapi.app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (!router) {
      outside++;
      continue;
    }
    routers++;
    for (const layer of router.stack) {
      for (const method of layer.methods) if (STATE_CHANGING.includes(method)) routes.add(`${method} ${layer.path}`);
      if (layer.methods.includes('GET')) gets.add(`GET ${layer.path}`);
    }
  }
  return { routes: [...routes].sort(), gets: [...gets], routers, outside };
}

/** Kapı's CSRF answer: 403 with the "form expired or not valid" page (in either language), not another refusal. */
function expectCsrfRefusal(route: string, variant: string, res: { status: number; text: string }): void {
  const said = [translate('tr', 'csrf_failed'), translate('en', 'csrf_failed')].some((m) => res.text.includes(m));
  expect({ route, variant, status: res.status, csrfPage: said }).toEqual({ route, variant, status: 403, csrfPage: true });
}

/** Everything the account forms could change, for the account and globally. */
async function snapshot(t: TestKapi): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['accounts', 'password_credentials', 'consents', 'registered_devices', 'totp_credentials', 'bank_links', 'passkey_credentials']) {
    out[table] = await t.kapi.services.db(table).select('*').orderBy(1);
  }
  return out;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('abuse: CSRF on every state-changing form (routes read from the mounted routers)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  it("every state-changing route of Kapı's routers is either tested here or allow-listed as a machine endpoint", () => {
    const { routes, gets, routers, outside } = mountedRoutes(t);
    // The enumeration itself must see the routers (interaction, account, signer, device, registrar, ...).
    expect(routers).toBeGreaterThanOrEqual(6);
    expect({ middlewareOutsideRouters: outside }).toEqual({ middlewareOutsideRouters: MIDDLEWARE_OUTSIDE_ROUTERS });
    expect(STATE_CHANGING_LINKS.filter((r) => !gets.includes(r))).toEqual([]);
    // The registrar console's forms are posted without a token, with a forged one and with the account
    // pages' token in test/attacks/office-console.test.ts (they need a clerk signed in at high).
    const elsewhere: readonly string[] = OFFICE_FORMS;
    const unaccounted = routes.filter((r) => !(r in BROWSER_FORMS) && !(r in MACHINE_ROUTES) && !elsewhere.includes(r));
    expect({ unaccounted }).toEqual({ unaccounted: [] });
    // No stale entries either: a renamed route must be renamed here, not silently untested.
    const stale = [...Object.keys(BROWSER_FORMS), ...Object.keys(MACHINE_ROUTES), ...elsewhere].filter((r) => !routes.includes(r));
    expect({ stale }).toEqual({ stale: [] });
  });

  it("account forms: no token, a forged token and another session's token are all refused (403), and nothing changes", async () => {
    // Ayşe, signed in with e-signature (fresh, acr high, a signature method): every account rule is met,
    // so the only thing left to refuse a post is its CSRF token. She has a consent and a second session.
    await institutionSignIn(new Browser(), (await authRequest(rp, { prompt: 'consent' })).url.href);
    const other = new Browser();
    const otherPage = await openWithPassword(t, other, '/account');
    expect(otherPage.url).toBe(`${t.issuer}/account`);
    const browser = new Browser();
    const page = await signInWithESignature(t, pki, browser, '/account/security');
    expect(page.url).toBe(`${t.issuer}/account/security`);
    const own = csrfOf(page);
    const othersToken = csrfOf(await other.go(`${t.issuer}/account/security`));
    expect(othersToken).not.toBe(own);
    const clientId = String((await t.kapi.services.db('consents').first('client_id'))?.client_id ?? '');
    const sessionUid = /data-uid="([^"]+)">/.exec((await browser.go(`${t.issuer}/account/sessions`)).html)?.[1] ?? ''; // not the current one
    expect({ clientId: Boolean(clientId), sessionUid: Boolean(sessionUid) }).toEqual({ clientId: true, sessionUid: true });

    const before = await snapshot(t);
    const routes = Object.entries(BROWSER_FORMS).filter(([, f]) => f.reach === 'account');
    for (const [route, spec] of routes) {
      const url = `${t.issuer}${route.split(' ')[1]!.replace(':id', 'no-such-device')}`;
      const fields = { client_id: clientId, uid: sessionUid, ...spec.fields };
      for (const [variant, token] of [
        ['missing', undefined],
        ['forged', 'forged-token'],
        ['truncated', own.slice(0, -1)],
        ['other session', othersToken],
      ] as const) {
        const res = await rawPost(browser, url, form(token === undefined ? fields : { ...fields, _csrf: token }), 'application/x-www-form-urlencoded');
        expectCsrfRefusal(route, variant, res);
      }
    }
    // Nothing changed: the account (phone, e-mail, switches), the password, consents, second factors.
    expect(await snapshot(t)).toEqual(before);
    // Both sessions are still signed in (no logout, no "end other sessions").
    expect((await browser.go(`${t.issuer}/account`)).url).toBe(`${t.issuer}/account`);
    expect((await other.go(`${t.issuer}/account`)).url).toBe(`${t.issuer}/account`);
    // The password still works.
    expect((await openWithPassword(t, new Browser(), '/account')).url).toBe(`${t.issuer}/account`);
    // And the refusals were the token's: the same form with the page's own token is accepted.
    const accepted = await rawPost(
      browser,
      `${t.issuer}/account/security/bank-login`,
      form({ action: 'block', _csrf: own }),
      'application/x-www-form-urlencoded',
    );
    expect(accepted.status).toBe(303);
    expect((await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!.bankLoginEnabled).toBe(false);
  });

  it('password reset forms: the same three refusals inside a live reset flow', async () => {
    const browser = new Browser();
    const start: Page = await browser.go(`${t.issuer}/account/reset`);
    expect(start.status).toBe(200);
    const own = csrfOf(start);
    const othersToken = csrfOf(await new Browser().go(`${t.issuer}/account/reset`));
    expect(othersToken).not.toBe(own);
    const before = await snapshot(t);
    const smsBefore = t.kapi.messaging.smsOutbox?.list().length ?? 0;
    for (const [route, spec] of Object.entries(BROWSER_FORMS).filter(([, f]) => f.reach === 'reset')) {
      const url = `${t.issuer}${route.split(' ')[1]}`;
      for (const [variant, token] of [
        ['missing', undefined],
        ['forged', 'forged-token'],
        ['other flow', othersToken],
      ] as const) {
        const res = await rawPost(
          browser,
          url,
          form(token === undefined ? spec.fields! : { ...spec.fields, _csrf: token }),
          'application/x-www-form-urlencoded',
        );
        expectCsrfRefusal(route, variant, res);
      }
    }
    expect(await snapshot(t)).toEqual(before);
    expect(t.kapi.messaging.smsOutbox?.list().length ?? 0).toBe(smsBefore); // no code sent
  });

  it('login interaction forms: the same three refusals, and the interaction still completes afterwards', async () => {
    const at = await atPasswordForm(rp, { prompt: 'consent' });
    const other = await atPasswordForm(rp);
    expect(other.csrf).not.toBe(at.csrf);
    const uid = /\/interaction\/([^/]+)\//.exec(new URL(at.action).pathname)![1]!;
    const before = await snapshot(t);
    for (const [route, spec] of Object.entries(BROWSER_FORMS).filter(([, f]) => f.reach === 'interaction')) {
      const url = `${t.issuer}${route.split(' ')[1]!.replace(':uid', uid).replace(':method', 'password')}`;
      for (const [variant, token] of [
        ['missing', undefined],
        ['forged', 'forged-token'],
        ['other interaction', other.csrf],
      ] as const) {
        const res = await rawPost(
          at.browser,
          url,
          form(token === undefined ? (spec.fields ?? {}) : { ...spec.fields, _csrf: token }),
          'application/x-www-form-urlencoded',
        );
        expectCsrfRefusal(route, variant, res);
      }
    }
    // The links that change the flow (banking: pick a bank, leave banking) check the same token.
    for (const route of STATE_CHANGING_LINKS) {
      const url = `${t.issuer}${route.split(' ')[1]!.replace(':uid', uid).replace(':bank', 'demo')}`;
      for (const [variant, token] of [
        ['missing', undefined],
        ['forged', 'forged-token'],
        ['other interaction', other.csrf],
      ] as const) {
        const res = await at.browser.request(token === undefined ? url : `${url}?_csrf=${encodeURIComponent(token)}`);
        expectCsrfRefusal(route, variant, { status: res.status, text: await res.text() });
      }
    }
    expect(await snapshot(t)).toEqual(before);
    // Not signed in, not aborted: the real form still signs in and reaches the consent page.
    const chosen = at.page.html.includes('data-method="password"') ? await at.browser.submit(at.page, {}, { name: 'method', value: 'password' }) : at.page;
    const next = await at.browser.submit(chosen, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(next.html).toContain('name="decision"');
  });
});
