import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import * as client from 'openid-client';
import { operatorServices } from '../../src/operators/index.js';
import { deriveKey, hmac } from '../../src/security/crypto.js';
import { SESSION_COOKIE } from '../../src/web/console/session.js';
import { AYSE } from '../account/security-support.js';
import { Browser, type Page } from '../support/browser.js';
import { authRequest, CALLBACK, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { consoleSignIn, consoleUrl, grantOperator, sessionIn } from './operator-support.js';

jest.setTimeout(300_000);

// An outside tester's attempts on the operator console (issue 23 point 2) beyond the role × level matrix
// of operator-console.test.ts: the sealed console cookie after a role is revoked and after "sign out
// everywhere", Host-header and X-Forwarded-* tricks on the loopback check, a sign-in or a code that
// straddles a suspension, a resource server asking about a suspended institution's token, key sets
// with private parts in every shape, and claims slipped in through the settings form. Each `it` names
// the property that held. (What did not hold is in findings-operator-console.test.ts.)

const ISMAIL = '23654859046'; // the administrator
const CAGLA = '10090908018'; // an administrator who loses the role
const MEHMET = '12345678950'; // an administrator who signs out everywhere
const EC_PUBLIC = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  kid: 'inst-1',
  use: 'sig',
};
const actor = { label: 'test', via: 'cli' as const };

function hostRequest(port: number, path: string, headers: Record<string, string>, cookie?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { ...headers, ...(cookie ? { cookie } : {}) }, setHost: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('attacks from outside: the operator console', () => {
  let pki: TestPki;
  let t: TestKapi;
  let admin: Browser;

  const csrf = (browser: Browser) => hmac(deriveKey(t.kapi.config.masterKey, 'console-csrf'), sessionIn(t, browser).sid);
  const post = async (browser: Browser, path: string, form: Record<string, string>) => {
    const res = await browser.request(`${consoleUrl(t)}${path}`, { form: { _csrf: csrf(browser), ...form } });
    return { status: res.status, html: await res.text() };
  };
  const get = async (browser: Browser, path: string) => {
    const res = await browser.request(`${consoleUrl(t)}${path}`);
    return { status: res.status, html: await res.text() };
  };
  const gate = (html: string) => /data-problem="([a-z_]+)"/.exec(html)?.[1];
  const cookieOf = (browser: Browser) => `${SESSION_COOKIE}=${browser.cookies.get(new URL(consoleUrl(t)).host)!.get(SESSION_COOKIE)!}`;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: { ...pki.env, KAPI_ADMIN_PORT: '0' } });
    await grantOperator(t, ISMAIL, 'administrator');
    admin = new Browser();
    await consoleSignIn(t, pki, admin, ISMAIL);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  it('a revoked operator role ends the console at the next request, whatever the sealed cookie says; re-granted as auditor, the same cookie changes nothing', async () => {
    const accountId = await grantOperator(t, CAGLA, 'administrator');
    const browser = new Browser();
    await consoleSignIn(t, pki, browser, CAGLA);
    await registerInstitution(t, { name: 'Rol Kurumu', clientId: 'role-target' });
    expect((await get(browser, '/console')).status).toBe(200);
    await operatorServices(t.kapi.services).roles.revoke(accountId);
    const read = await get(browser, '/console');
    expect([read.status, gate(read.html)]).toEqual([403, 'not_operator']);
    const change = await post(browser, '/console/institutions/role-target/suspend', { reason: 'x' });
    expect([change.status, gate(change.html)]).toEqual([403, 'not_operator']);
    await operatorServices(t.kapi.services).roles.grant(accountId, 'auditor', 'test');
    const again = await post(browser, '/console/institutions/role-target/suspend', { reason: 'x' });
    expect([again.status, gate(again.html)]).toEqual([403, 'read_only']);
    expect(await t.kapi.services.clients.isSuspended('role-target')).toBe(false);
  });

  it('"sign out everywhere" on the account pages ends a copy of the sealed console cookie taken before it (replay refused)', async () => {
    await grantOperator(t, MEHMET, 'administrator');
    const browser = new Browser();
    await consoleSignIn(t, pki, browser, MEHMET);
    const copy = cookieOf(browser);
    const port = t.kapi.admin()!.port;
    expect(await hostRequest(port, '/console', { host: `127.0.0.1:${port}` }, copy)).toBe(200);
    const uid = sessionIn(t, browser).uid;
    const ended = await browser.request(`${t.issuer}/account/sessions/end-all`, {
      form: { _csrf: hmac(deriveKey(t.kapi.config.masterKey, 'account-csrf'), uid) },
    });
    expect(ended.status).toBe(200);
    expect(await hostRequest(port, '/console', { host: `127.0.0.1:${port}` }, copy)).toBe(302); // to the sign-in: no session
    const res = await new Browser().request(`${consoleUrl(t)}/console/keys/rotate`, {
      headers: { cookie: copy },
      form: { _csrf: csrf(browser), force: 'yes' },
    });
    expect(res.status).toBe(401);
  });

  it('the loopback check trusts no forwarding header and no look-alike host name (X-Forwarded-Host, Forwarded, loopback-looking domains, userinfo, no Host)', async () => {
    const port = t.kapi.admin()!.port;
    const copy = cookieOf(admin);
    const attempts: Record<string, string>[] = [
      { host: `attacker.example:${port}`, 'x-forwarded-host': 'localhost' },
      { host: `attacker.example:${port}`, forwarded: 'host=localhost;for=127.0.0.1' },
      { host: `attacker.example:${port}`, 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' },
      { host: `localhost.attacker.example:${port}` },
      { host: `127.0.0.1.nip.io:${port}` },
      { host: `localhost@attacker.example:${port}` },
      { host: `LOCALHOST.:${port}` },
      { host: '' },
    ];
    const statuses = await Promise.all(attempts.map((headers) => hostRequest(port, '/console', headers, copy)));
    expect(statuses).toEqual(attempts.map(() => 404));
    // The real loopback names still work.
    expect(await hostRequest(port, '/console', { host: `localhost:${port}` }, copy)).toBe(200);
  });

  it('a sign-in started before the institution was suspended and finished after it gives the institution no code', async () => {
    const metadata = await registerInstitution(t, { name: 'Yarım Kurum', clientId: 'straddle-login', scopes: ['openid', 'profile'] });
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile', prompt: 'login consent' });
    const browser = new Browser();
    const atCallback = (location: string) => location.startsWith(CALLBACK);
    let page: Page = await browser.go(req.url.href, {}, atCallback);
    if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    expect(page.html).toContain('name="password"');
    await operatorServices(t.kapi.services).institutions.suspend(actor, 'straddle-login', 'mid sign-in');
    page = await browser.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    if (page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(page.url.startsWith(CALLBACK) && new URL(page.url).searchParams.has('code')).toBe(false);
    // Postgres answers a count as a string, PGlite as a number: compared as a number.
    const [codes] = await t.kapi.services
      .db('oidc_models')
      .where({ model: 'AuthorizationCode' })
      .andWhereRaw(`payload->>'clientId' = ?`, ['straddle-login'])
      .count<{ c: string | number }[]>('* as c');
    expect(Number(codes!.c)).toBe(0);
  });

  it('a code issued just before the suspension cannot be redeemed after it', async () => {
    const metadata = await registerInstitution(t, { name: 'Kod Kurumu', clientId: 'straddle-code', scopes: ['openid', 'profile'] });
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid profile' });
    const browser = new Browser();
    const atCallback = (location: string) => location.startsWith(CALLBACK);
    let page: Page = await browser.go(req.url.href, {}, atCallback);
    if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, atCallback);
    page = await browser.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    if (page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(new URL(page.url).searchParams.get('code')).toBeTruthy();
    await operatorServices(t.kapi.services).institutions.suspend(actor, 'straddle-code', 'code in flight');
    await expect(
      client.authorizationCodeGrant(rp, new URL(page.url), { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }),
    ).rejects.toThrow();
    await operatorServices(t.kapi.services).institutions.resume(actor, 'straddle-code');
    await expect(
      client.authorizationCodeGrant(rp, new URL(page.url), { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }),
    ).rejects.toThrow();
  });

  it("a resource server's client learns nothing about a suspended institution's access token (introspection active: false)", async () => {
    const api = 'https://rs-outside.example/';
    const rsMeta = await registerInstitution(t, { name: 'Vergi API', clientId: 'rs-outside-client', scopes: ['openid'] });
    await t.kapi.services.resourceServers.add({
      identifier: api,
      name: 'Vergi',
      scopes: ['tax:read'],
      tokenFormat: 'opaque',
      clientId: 'rs-outside-client',
    } as never);
    const metadata = await registerInstitution(t, { name: 'Vergi Kurumu', clientId: 'rs-outside-inst', clientCredentials: true, scopes: ['openid'] });
    const rp = await relyingParty(t, metadata);
    const token = (await client.clientCredentialsGrant(rp, { resource: api, scope: 'tax:read' })).access_token;
    const rs = await relyingParty(t, rsMeta);
    expect((await client.tokenIntrospection(rs, token)).active).toBe(true);
    await operatorServices(t.kapi.services).institutions.suspend(actor, 'rs-outside-inst', 'x');
    expect((await client.tokenIntrospection(rs, token)).active).toBe(false);
  });

  it('an uploaded key set with private key material in any shape is refused and not stored (RSA primes without d, a symmetric k, an OKP d, multi-prime oth, one private key among public ones)', async () => {
    await registerInstitution(t, { name: 'Anahtar Kurumu', clientId: 'keys-outside' });
    const before = JSON.stringify((await t.kapi.services.db('clients').where({ client_id: 'keys-outside' }).first()).metadata);
    const sets = [
      { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', p: 'AQAB', q: 'AQAB' }] },
      { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', dp: 'AQAB', dq: 'AQAB', qi: 'AQAB' }] },
      { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
      { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }] },
      { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', oth: [{ r: 'AQAB', d: 'AQAB', t: 'AQAB' }] }] },
      { keys: [EC_PUBLIC, { ...EC_PUBLIC, kid: 'inst-2', d: 'secret-part' }] },
    ];
    for (const set of sets) {
      const res = await post(admin, '/console/institutions/keys-outside/keys', { jwks: JSON.stringify(set) });
      expect(res.status).toBe(400);
    }
    expect(JSON.stringify((await t.kapi.services.db('clients').where({ client_id: 'keys-outside' }).first()).metadata)).toBe(before);
  });

  it('claims cannot be slipped in through the settings form: scope boxes posted to the edit form change no scope, and no approval is recorded', async () => {
    await registerInstitution(t, { name: 'Kaçak Kurum', clientId: 'claims-outside', scopes: ['openid', 'profile'] });
    const res = await post(admin, '/console/institutions/claims-outside', {
      name: 'Kaçak Kurum',
      redirect_uris: CALLBACK,
      auth: 'client_secret_basic',
      subject_type: 'pairwise',
      scope_national_id: 'yes',
      scope: 'openid national_id',
      scopes: 'national_id',
    });
    expect(res.status).toBe(200);
    const stored = (await t.kapi.services.clients.show('claims-outside'))!;
    expect(String(stored.metadata.scope).split(' ')).not.toContain('national_id');
    expect(await operatorServices(t.kapi.services).trail.list({ limit: 5, clientId: 'claims-outside', action: 'claims.approve' })).toEqual([]);
  });
});
