import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import * as client from 'openid-client';
import { METHOD_TRAITS } from '../../interactions/index.js';
import { acrAmrRows } from '../../src/engine/acr-amr-table.js';
import { operatorServices } from '../../src/operators/index.js';
import { createRegistrar } from '../../src/registrar/index.js';
import { deriveKey, hmac, Sealer } from '../../src/security/crypto.js';
import { AYSE } from '../account/security-support.js';
import { Browser } from '../support/browser.js';
import { loginAndExchange } from '../support/conformance-op.js';
import { authRequest, CALLBACK, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { clerkSignIn, gateOf, officeGet } from './office-outside-support.js';
import { accountOf } from './office-support.js';
import { consoleSignIn, consoleUrl, grantOperator, holdSession, sessionIn } from './operator-support.js';

jest.setTimeout(300_000);

// Issue 23 point 2 and DESIGN.md (third round, "Consoles"): the operator console on the admin listener.
// The role × level matrix: every console action, for a person without an operator role, an auditor, an
// administrator signed in at `substantial`, one whose `high` sign-in is 16 minutes old, and one just
// signed in at `high`. Reading needs a `high` sign-in and a role; changing needs the administrator role
// and that sign-in under 15 minutes old; an auditor reads only. A refused action changes nothing: not
// the institution, not the keys, not the audit trail.

const MEHMET = '12345678950'; // no operator role
const CAGLA = '10090908018'; // the auditor
const ISMAIL = '23654859046'; // the administrator

type Caller =
  | 'a person without an operator role (high, fresh)'
  | 'the auditor (high, fresh)'
  | 'the administrator signed in at substantial'
  | 'the administrator signed in at high 16 minutes ago'
  | 'the administrator signed in at high just now';
const CALLERS: Caller[] = [
  'a person without an operator role (high, fresh)',
  'the auditor (high, fresh)',
  'the administrator signed in at substantial',
  'the administrator signed in at high 16 minutes ago',
  'the administrator signed in at high just now',
];

type Action =
  | 'list institutions'
  | 'search institutions'
  | "open an institution's page"
  | "open an institution's integration page"
  | 'read the audit trail'
  | 'export the audit trail as CSV'
  | 'export the audit trail as JSON'
  | 'read the signing keys'
  | 'open the register form'
  | 'register an institution'
  | 'open the edit form'
  | 'edit an institution'
  | 'rotate a client secret'
  | 'set a jwks_uri'
  | 'upload a key set'
  | 'approve national_id for an institution'
  | 'suspend an institution'
  | 'resume an institution'
  | 'rotate the signing keys now'
  | 'list offices'
  | "open an office's staff page"
  | 'add an office'
  | 'deactivate an office'
  | 'reactivate an office'
  | 'grant the registrar role at an office'
  | 'revoke the registrar role at an office';
const READS = new Set<Action>([
  'list institutions',
  'search institutions',
  "open an institution's page",
  "open an institution's integration page",
  'read the audit trail',
  'export the audit trail as CSV',
  'export the audit trail as JSON',
  'read the signing keys',
  'list offices',
  "open an office's staff page",
]);
/** What a fresh administrator gets for each change: the page of the change (200/201) or back to the institution or office (302). */
const DONE: Partial<Record<Action, number>> = {
  'register an institution': 201,
  'set a jwks_uri': 302,
  'upload a key set': 302,
  'approve national_id for an institution': 302,
  'suspend an institution': 302,
  'resume an institution': 302,
  'add an office': 302,
  'deactivate an office': 302,
  'reactivate an office': 302,
  'grant the registrar role at an office': 302,
  'revoke the registrar role at an office': 302,
};
const MATRIX_OFFICE = 'MATRIX-OFFICE';
const ZEYNEP = '56789123416'; // the matrix office's registrar, granted and revoked there

function expected(caller: Caller, action: Action): { status: number; gate?: string } {
  if (caller.startsWith('a person without')) return { status: 403, gate: 'not_operator' };
  if (caller.includes('substantial')) return { status: 403, gate: 'level' };
  if (READS.has(action)) return { status: 200 };
  if (caller.startsWith('the auditor')) return { status: 403, gate: 'read_only' };
  if (caller.includes('16 minutes')) return { status: 403, gate: 'stale' };
  return { status: DONE[action] ?? 200 };
}

const PUBLIC_KEYS = {
  keys: [
    { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'inst-1', use: 'sig' },
  ],
};

describe('attacks: the operator console on the admin listener, role × level (issue 23 point 2)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let target: string;
  let registered = 0;
  let added = 0;
  let zeynep = '';
  const browsers = new Map<Caller, Browser>();

  const csrf = (browser: Browser) => hmac(deriveKey(t.kapi.config.masterKey, 'console-csrf'), sessionIn(t, browser).sid);
  async function post(browser: Browser, path: string, form: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await browser.request(`${consoleUrl(t)}${path}`, { form: { _csrf: csrf(browser), ...form } });
    return { status: res.status, html: await res.text() };
  }
  async function get(browser: Browser, path: string): Promise<{ status: number; html: string; location: string | null; type: string | null }> {
    const res = await browser.request(`${consoleUrl(t)}${path}`);
    return { status: res.status, html: await res.text(), location: res.headers.get('location'), type: res.headers.get('content-type') };
  }

  const ACTIONS: Record<Action, (b: Browser) => Promise<{ status: number; html: string }>> = {
    'list institutions': (b) => get(b, '/console'),
    'search institutions': (b) => get(b, '/console?q=matrix'),
    "open an institution's page": (b) => get(b, `/console/institutions/${target}`),
    "open an institution's integration page": (b) => get(b, `/console/institutions/${target}/integration`),
    'read the audit trail': (b) => get(b, '/console/audit'),
    'export the audit trail as CSV': (b) => get(b, '/console/audit/export?format=csv'),
    'export the audit trail as JSON': (b) => get(b, '/console/audit/export?format=json'),
    'read the signing keys': (b) => get(b, '/console/keys'),
    'open the register form': (b) => get(b, '/console/institutions/new'),
    'register an institution': (b) =>
      post(b, '/console/institutions', {
        name: `Matris Kurumu ${++registered}`,
        redirect_uris: 'https://matrix.example/cb',
        auth: 'client_secret_basic',
        subject_type: 'pairwise',
        scope_profile: 'yes',
      }),
    'open the edit form': (b) => get(b, `/console/institutions/${target}/edit`),
    'edit an institution': (b) =>
      post(b, `/console/institutions/${target}`, {
        name: 'Matris Hedef Kurumu',
        redirect_uris: CALLBACK,
        auth: 'client_secret_basic',
        subject_type: 'pairwise',
        min_acr: 'substantial',
      }),
    'rotate a client secret': (b) => post(b, `/console/institutions/${target}/rotate-secret`, {}),
    'set a jwks_uri': (b) => post(b, `/console/institutions/${target}/keys`, { jwks_uri: 'https://matrix.example/jwks' }),
    'upload a key set': (b) => post(b, `/console/institutions/${target}/keys`, { jwks: JSON.stringify(PUBLIC_KEYS) }),
    'approve national_id for an institution': (b) => post(b, `/console/institutions/${target}/claims`, { scope_profile: 'yes', scope_national_id: 'yes' }),
    'suspend an institution': (b) => post(b, `/console/institutions/${target}/suspend`, { reason: 'matris' }),
    'resume an institution': (b) => post(b, `/console/institutions/${target}/resume`, {}),
    'rotate the signing keys now': (b) => post(b, '/console/keys/rotate', { force: 'yes' }),
    'list offices': (b) => get(b, '/console/offices'),
    "open an office's staff page": (b) => get(b, `/console/offices/${MATRIX_OFFICE}`),
    'add an office': (b) => post(b, '/console/offices', { code: `MATRIX-${++added}`, name: 'Matris Şubesi', kind: 'ptt' }),
    'deactivate an office': (b) => post(b, `/console/offices/${MATRIX_OFFICE}/deactivate`, {}),
    'reactivate an office': (b) => post(b, `/console/offices/${MATRIX_OFFICE}/reactivate`, {}),
    'grant the registrar role at an office': (b) => post(b, `/console/offices/${MATRIX_OFFICE}/staff`, { national_id: ZEYNEP }),
    'revoke the registrar role at an office': (b) => post(b, `/console/offices/${MATRIX_OFFICE}/staff/revoke`, { account_id: zeynep }),
  };

  /** Everything a change could touch: the target institution, the institutions, the keys, the offices and their staff, the trail (exports aside). */
  const state = async () => {
    const db = t.kapi.services.db;
    const row = (await db('clients').where({ client_id: target }).first()) as { metadata: unknown; suspended_at: unknown };
    const count = async (table: string, where: (q: ReturnType<typeof db>) => unknown = () => undefined) => {
      const q = db(table);
      where(q);
      return Number((await q.count<{ c: string }[]>('* as c'))[0]!.c);
    };
    return {
      target: JSON.stringify([row.metadata, row.suspended_at]),
      clients: await count('clients'),
      keys: JSON.stringify(await db('signing_keys').orderBy('kid').select('kid', 'state')),
      offices: JSON.stringify(await db('registrar_offices').orderBy('code').select('code', 'name', 'active')),
      staff: JSON.stringify(await db('registrar_roles').orderBy('account_id').select('account_id', 'office_code', 'granted_by', 'granted_at')),
      trail: await count('operator_audit', (q) => void q.whereNot({ action: 'audit.export' })),
    };
  };

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: { ...pki.env, KAPI_ADMIN_PORT: '0' } });
    await grantOperator(t, CAGLA, 'auditor');
    await grantOperator(t, ISMAIL, 'administrator');
    target = String((await registerInstitution(t, { name: 'Matris Hedef Kurumu', clientId: 'matrix-target' })).client_id);
    // An office with a registrar already: a refused revocation or grant would show in its staff.
    const registrar = createRegistrar(t.kapi.services).repository;
    await registrar.addOffice({ code: MATRIX_OFFICE, name: 'Matris Şubesi', kind: 'ptt' });
    zeynep = await accountOf(t, ZEYNEP);
    await registrar.grantRole(zeynep, MATRIX_OFFICE, 'test');

    const none = new Browser();
    await consoleSignIn(t, pki, none, MEHMET);
    browsers.set('a person without an operator role (high, fresh)', none);
    const auditor = new Browser();
    await consoleSignIn(t, pki, auditor, CAGLA);
    browsers.set('the auditor (high, fresh)', auditor);
    const fresh = new Browser();
    const landed = await consoleSignIn(t, pki, fresh, ISMAIL);
    expect(landed.url).toBe(`${consoleUrl(t)}/console`);
    browsers.set('the administrator signed in at high just now', fresh);
    const real = sessionIn(t, fresh);
    const substantial = new Browser();
    holdSession(t, substantial, { ...real, acr: 'substantial' });
    browsers.set('the administrator signed in at substantial', substantial);
    const stale = new Browser();
    holdSession(t, stale, { ...real, authTime: real.authTime - 16 * 60 });
    browsers.set('the administrator signed in at high 16 minutes ago', stale);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  describe.each(CALLERS)('the role matrix: %s', (caller) => {
    for (const action of Object.keys(ACTIONS) as Action[]) {
      const want = expected(caller, action);
      const what = want.gate ? `refused (${want.status}, ${want.gate}): nothing changed, nothing recorded` : `allowed (${want.status})`;
      it(`${action}: ${what}`, async () => {
        const before = await state();
        const res = await ACTIONS[action](browsers.get(caller)!);
        expect({ status: res.status, gate: /data-problem="([a-z_]+)"/.exec(res.html)?.[1] }).toEqual({ status: want.status, gate: want.gate });
        const after = await state();
        if (want.gate) {
          expect(after).toEqual(before);
          // The way on for a level or age problem: a fresh sign-in at high, through the console's own client.
          if (want.gate === 'level' || want.gate === 'stale')
            expect(res.html).toMatch(/id="sign-in-again" href="\/console\/login\?next=%2Fconsole[^"]*again=1"/);
          return;
        }
        if (READS.has(action)) {
          expect(after.trail).toBe(before.trail);
          if (action === 'export the audit trail as CSV') expect(res.html.split('\r\n')[0]).toBe('id,at,action,actor,via,client_id,target,detail,ip');
          if (action === 'export the audit trail as JSON') expect(Array.isArray(JSON.parse(res.html))).toBe(true);
          return;
        }
        // Every change is on the audit trail, written with it (opening a form changes nothing yet).
        if (action.startsWith('open the')) expect(after).toEqual(before);
        else expect(after.trail).toBeGreaterThan(before.trail);
        if (action === 'register an institution' || action === 'rotate a client secret')
          expect(res.html).toMatch(/id="client-secret"[^>]*>[A-Za-z0-9_-]{40,}</);
        if (action === 'rotate the signing keys now') expect(after.keys).not.toBe(before.keys);
        if (action.includes('an office')) expect(after.offices === before.offices && after.staff === before.staff).toBe(false);
      });
    }
  });

  it('who approved national_id for which institution, and when, is on the audit trail and beside the claim', async () => {
    const admin = browsers.get('the administrator signed in at high just now')!;
    await post(admin, `/console/institutions/${target}/claims`, { scope_profile: 'yes' });
    const approved = await post(admin, `/console/institutions/${target}/claims`, { scope_profile: 'yes', scope_national_id: 'yes' });
    expect(approved.status).toBe(302);
    const rows = await operatorServices(t.kapi.services).trail.list({ limit: 5, clientId: target, action: 'claims.approve' });
    const admins = await t.kapi.services.accounts.findByNationalId(ISMAIL);
    expect(rows[0]).toMatchObject({
      via: 'console',
      operatorAccountId: admins!.id,
      actor: `${admins!.givenName} ${admins!.familyName}`,
      clientId: target,
      detail: { added: ['national_id'], removed: [] },
    });
    expect(Date.now() - rows[0]!.at.getTime()).toBeLessThan(60_000);
    const page = await get(admin, `/console/institutions/${target}`);
    expect(page.html).toMatch(new RegExp(`id="approval-national_id">[^<]*${admins!.givenName}`));
    const auditor = await get(browsers.get('the auditor (high, fresh)')!, `/console/audit/export?format=json&client_id=${target}`);
    expect(JSON.parse(auditor.html).find((r: { action: string }) => r.action === 'claims.approve').detail.added).toEqual(['national_id']);
  });

  it("an institution's integration page (issue 23 point 3): its discovery URL, client id and redirect URIs, the generated acr/amr table, examples with its values, and never its client secret", async () => {
    const page = await get(browsers.get('the auditor (high, fresh)')!, `/console/institutions/${target}/integration`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<code>${t.issuer}/.well-known/openid-configuration</code>`);
    expect(page.html).toMatch(new RegExp(`data-field="client_id"><code>${target}</code>`));
    expect(page.html).toContain(`<code>${CALLBACK}</code>`);
    expect([...page.html.matchAll(/<tr data-methods="/g)].length).toBe(acrAmrRows(METHOD_TRAITS.all).length);
    expect(page.html).toContain(`clientId: &#39;${target}&#39;,`);
    const secret = String((await t.kapi.services.clients.metadataWithSecret(target))!.client_secret);
    expect(secret.length).toBeGreaterThan(20);
    expect(page.html).not.toContain(secret);
    expect(page.html).toContain('process.env.KAPI_CLIENT_SECRET');
  });

  it('offices and staff (issue 23 point 2): a clerk granted the registrar role in the console can then use /office; revoked there, her very next request at /office is refused', async () => {
    const admin = browsers.get('the administrator signed in at high just now')!;
    expect((await post(admin, '/console/offices', { code: 'CLERK-TEST', name: 'Görevli Deneme Şubesi', kind: 'ptt' })).status).toBe(302);
    expect((await post(admin, '/console/offices/CLERK-TEST/staff', { national_id: MEHMET })).status).toBe(302);
    const page = await get(browsers.get('the auditor (high, fresh)')!, '/console/offices/CLERK-TEST');
    // The staff list shows the identity number masked, never whole.
    expect(page.html).toContain('<code>123******50</code>');
    expect(page.html).not.toContain(MEHMET);
    const trail = await operatorServices(t.kapi.services).trail.list({ limit: 2 });
    expect(trail.map((r) => [r.action, r.target, r.via])).toEqual([
      ['registrar.grant', '123******50', 'console'],
      ['office.add', 'CLERK-TEST', 'console'],
    ]);

    const clerk = new Browser();
    await clerkSignIn(t, pki, clerk, MEHMET);
    const history = await officeGet(t, clerk, '/office/history');
    expect([history.status, gateOf(history.html)]).toEqual([200, undefined]);

    const mehmet = await accountOf(t, MEHMET);
    expect((await post(admin, '/console/offices/CLERK-TEST/staff/revoke', { account_id: mehmet })).status).toBe(302);
    const refused = await officeGet(t, clerk, '/office/history');
    expect([refused.status, gateOf(refused.html)]).toEqual([403, 'not_registrar']);
  });

  it("granting the registrar role checks the identity number's checksum first: a mistyped number is refused at its field, and nothing changes", async () => {
    const admin = browsers.get('the administrator signed in at high just now')!;
    const lookup = jest.spyOn(t.kapi.services.registry, 'lookup');
    const before = await state();
    const res = await post(admin, `/console/offices/${MATRIX_OFFICE}/staff`, { national_id: '12345678951' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('href="#national_id"');
    expect(res.html).toMatch(/id="national_id"[^>]*aria-invalid="true"/);
    expect(lookup).not.toHaveBeenCalled();
    lookup.mockRestore();
    expect(await state()).toEqual(before);
  });

  it('an administrator whose high sign-in is 16 minutes old is sent to sign in again (prompt=login, max_age=0, acr high), and then may change', async () => {
    const browser = new Browser();
    await consoleSignIn(t, pki, browser, ISMAIL);
    holdSession(t, browser, { ...sessionIn(t, browser), authTime: sessionIn(t, browser).authTime - 16 * 60 });
    const refused = await post(browser, `/console/institutions/${target}/rotate-secret`, {});
    expect(refused.status).toBe(403);
    const link = /id="sign-in-again" href="([^"]+)"/.exec(refused.html)![1]!.replace(/&amp;/g, '&');
    const auth = await browser.request(`${consoleUrl(t)}${link}`);
    const location = new URL(auth.headers.get('location')!);
    expect(location.origin).toBe(t.issuer);
    expect(Object.fromEntries(['client_id', 'acr_values', 'prompt', 'max_age'].map((k) => [k, location.searchParams.get(k)]))).toEqual({
      client_id: 'kapi-console',
      acr_values: 'high',
      prompt: 'login',
      max_age: '0',
    });
    const back = await consoleSignIn(t, pki, browser, ISMAIL, link);
    expect(back.url).toBe(`${consoleUrl(t)}/console`);
    expect((await post(browser, `/console/institutions/${target}/rotate-secret`, {})).status).toBe(200);
  });

  it('without a session a console page sends to the console sign-in, and a form post does nothing (401)', async () => {
    const browser = new Browser();
    const page = await get(browser, '/console/audit');
    expect([page.status, page.location]).toEqual([302, '/console/login?next=%2Fconsole%2Faudit']);
    const before = await state();
    const res = await browser.request(`${consoleUrl(t)}/console/institutions/${target}/suspend`, { form: { reason: 'x' } });
    expect(res.status).toBe(401);
    expect(await state()).toEqual(before);
  });

  it("a console form without the console's CSRF token, or with another page's token, is refused (403) and does nothing", async () => {
    const browser = browsers.get('the administrator signed in at high just now')!;
    const before = await state();
    const none = await browser.request(`${consoleUrl(t)}/console/institutions/${target}/suspend`, { form: { reason: 'x' } });
    const office = hmac(deriveKey(t.kapi.config.masterKey, 'office-csrf'), sessionIn(t, browser).uid);
    const other = await browser.request(`${consoleUrl(t)}/console/institutions/${target}/suspend`, { form: { reason: 'x', _csrf: office } });
    expect([none.status, other.status]).toEqual([403, 403]);
    expect(await state()).toEqual(before);
  });

  it('a forged or foreign console session is no session: a cookie sealed for another purpose, or a session of Kapı that has ended', async () => {
    const browser = new Browser();
    const real = sessionIn(t, browsers.get('the administrator signed in at high just now')!);
    const host = new URL(consoleUrl(t)).host;
    // The real session's contents, sealed for the sign-in's cookie rather than the session's: not opened.
    browser.cookies.set(host, new Map([['kapi_console', new Sealer(t.kapi.config.masterKey).seal(JSON.stringify(real), 'console-login')]]));
    expect((await get(browser, '/console')).status).toBe(302);
    // Kapı's own session of that sign-in ends (signed out everywhere): the console's ends with it.
    const ended = new Browser();
    await consoleSignIn(t, pki, ended, ISMAIL);
    const uid = sessionIn(t, ended).uid;
    await t.kapi.services.db('login_sessions').where({ uid }).update({ ended_at: new Date() });
    expect((await get(ended, '/console')).status).toBe(302);
  });

  it('a key set with private key material is refused and not stored', async () => {
    const admin = browsers.get('the administrator signed in at high just now')!;
    const before = await state();
    const res = await post(admin, `/console/institutions/${target}/keys`, { jwks: JSON.stringify({ keys: [{ ...PUBLIC_KEYS.keys[0], d: 'secret-part' }] }) });
    expect(res.status).toBe(400);
    expect(res.html).toContain('href="#jwks_uri"');
    expect(await state()).toEqual(before);
  });

  it("Kapı's own applications cannot be suspended from the console (the console would lock itself out)", async () => {
    const admin = browsers.get('the administrator signed in at high just now')!;
    const res = await post(admin, '/console/institutions/kapi-console/suspend', { reason: 'x' });
    expect(res.status).toBe(400);
    expect(await t.kapi.services.clients.isSuspended('kapi-console')).toBe(false);
  });

  it('console pages carry the strict headers: CSP without inline script, no-store, no framing, same-origin resources', async () => {
    const res = await browsers.get('the auditor (high, fresh)')!.request(`${consoleUrl(t)}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*form-action 'self'; frame-ancestors 'none'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('the console answers loopback host names only (no DNS rebinding onto it), and is not on the public port', async () => {
    const port = t.kapi.admin()!.port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/console', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
    expect((await fetch(`${t.issuer}/console`, { redirect: 'manual' })).status).toBe(404);
  });

  describe('suspension: the institution is refused everywhere until resumed', () => {
    it("a suspended institution's tokens stop working (userinfo, refresh, introspection) and its sign-ins get a page that says so; resumed, it signs in again but its old tokens stay dead", async () => {
      const metadata = await registerInstitution(t, { name: 'Askı Kurumu', clientId: 'suspension-test' });
      const rp = await relyingParty(t, metadata);
      const logged = await loginAndExchange(rp, AYSE, { scope: 'openid profile offline_access', prompt: 'consent' });
      const sub = logged.tokens.claims()!.sub;
      expect((await client.fetchUserInfo(rp, logged.tokens.access_token, sub)).sub).toBe(sub);
      expect(logged.tokens.refresh_token).toBeTruthy();

      const admin = browsers.get('the administrator signed in at high just now')!;
      expect((await post(admin, '/console/institutions/suspension-test/suspend', { reason: 'test' })).status).toBe(302);

      await expect(client.fetchUserInfo(rp, logged.tokens.access_token, sub)).rejects.toThrow();
      await expect(client.refreshTokenGrant(rp, logged.tokens.refresh_token!)).rejects.toThrow();
      const introspection = await fetch(`${t.issuer}/token/introspection`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`suspension-test:${String(metadata.client_secret)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token: logged.tokens.access_token }),
      });
      expect(introspection.status).toBe(401);

      const req = await authRequest(rp, { ui_locales: 'tr' });
      const page = await new Browser().go(req.url.href);
      expect(page.status).toBe(403);
      expect(page.html).toContain('data-problem="institution_suspended"');
      expect(page.html).toContain('askıya alındı');

      const shown = await get(admin, '/console/institutions/suspension-test');
      expect(shown.html).toContain('id="suspended-notice"');
      expect((await operatorServices(t.kapi.services).trail.list({ limit: 1, clientId: 'suspension-test' }))[0]).toMatchObject({
        action: 'institution.suspend',
        detail: { reason: 'test' },
      });

      expect((await post(admin, '/console/institutions/suspension-test/resume', {})).status).toBe(302);
      const again = await loginAndExchange(rp, AYSE, { scope: 'openid profile' });
      expect((await client.fetchUserInfo(rp, again.tokens.access_token, sub)).sub).toBe(sub);
      await expect(client.refreshTokenGrant(rp, logged.tokens.refresh_token!)).rejects.toThrow();
    });
  });
});
