import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import * as client from 'openid-client';
import { operatorServices } from '../../src/operators/index.js';
import { deriveKey, hmac } from '../../src/security/crypto.js';
import { SESSION_COOKIE } from '../../src/web/console/session.js';
import { Browser } from '../support/browser.js';
import { registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { consoleSignIn, consoleUrl, grantOperator, sessionIn } from './operator-support.js';

jest.setTimeout(240_000);

// FINDINGS (outside attack, 2026 session): properties of the operator console that do NOT hold on the
// branch this was written against. Each `it` states the property that should hold and FAILS today.
// Kept apart from the passing attack tests so that CI's red is on purpose and easy to find; the product
// code is deliberately not changed here (see the report for the suggested fixes).

const ISMAIL = '23654859046'; // the administrator

/** A request with a chosen Host header, from a chosen local address (loopback, or this machine's own non-loopback one). */
function raw(options: {
  address: string;
  port: number;
  path: string;
  host: string;
  method?: string;
  cookie?: string;
  form?: Record<string, string>;
}): Promise<{ status: number; body: string; location?: string | undefined }> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: options.address,
        port: options.port,
        path: options.path,
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers: {
          host: options.host,
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An IPv4 address of this machine that is not loopback (the admin listener bound wider is reached on it). */
function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('attacks: the operator console, found by the outside attack', () => {
  let pki: TestPki;
  let t: TestKapi;
  let admin: Browser;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    pki = await startTestPki();
    // KAPI_ADMIN_HOST wider than loopback is a documented setting (a metrics scraper on another host);
    // the console must still answer loopback callers under a loopback host name only.
    t = await startKapi({ env: { ...pki.env, KAPI_ADMIN_PORT: '0', KAPI_ADMIN_HOST: '0.0.0.0' } });
    await grantOperator(t, ISMAIL, 'administrator');
    await registerInstitution(t, { name: 'Hedef Kurum', clientId: 'finding-target' });
    admin = new Browser();
    await consoleSignIn(t, pki, admin, ISMAIL);
    const host = new URL(consoleUrl(t)).host;
    cookie = `${SESSION_COOKIE}=${admin.cookies.get(host)!.get(SESSION_COOKIE)!}`;
    csrf = hmac(deriveKey(t.kapi.config.masterKey, 'console-csrf'), sessionIn(t, admin).sid);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  // F1. src/web/console/index.ts checks `ctx.path.startsWith('/console')` (case-sensitive) before the
  // loopback/Host check, while @koa/router matches the '/console' prefix case-insensitively: /CONSOLE/...
  // skips the check and is served by the console's router.
  it('DNS rebinding: under a non-loopback Host name the console answers 404 whatever the case of its path', async () => {
    const port = t.kapi.admin()!.port;
    const lower = await raw({ address: '127.0.0.1', port, path: '/console', host: `attacker.example:${port}`, cookie });
    expect(lower.status).toBe(404); // holds
    const upper = await raw({ address: '127.0.0.1', port, path: '/CONSOLE', host: `attacker.example:${port}`, cookie });
    expect(upper.status).toBe(404); // fails: 200, the institutions list
  });

  it('admin listener bound wider: a caller from a non-loopback address gets 404 on /CONSOLE/... and cannot suspend an institution with a copied console cookie', async () => {
    const address = nonLoopbackAddress();
    if (!address) throw new Error('this machine has no non-loopback IPv4 address to call from');
    const port = t.kapi.admin()!.port;
    const lower = await raw({ address, port, path: '/console/institutions/finding-target', host: `${address}:${port}`, cookie });
    expect(lower.status).toBe(404); // holds
    const read = await raw({ address, port, path: '/CONSOLE/institutions/finding-target', host: `${address}:${port}`, cookie });
    const change = await raw({
      address,
      port,
      path: '/CONSOLE/institutions/finding-target/suspend',
      host: `${address}:${port}`,
      cookie,
      form: { _csrf: csrf, reason: 'remote' },
    });
    const suspended = await t.kapi.services.clients.isSuspended('finding-target');
    if (suspended) await operatorServices(t.kapi.services).institutions.resume({ label: 'test', via: 'cli' }, 'finding-target');
    expect({ read: read.status, change: change.status, suspended }).toEqual({ read: 404, change: 404, suspended: false });
  });

  // F2. InstitutionAdmin.suspend revokes Grants and RefreshTokens (and what hangs off a grant), not
  // ClientCredentials tokens, which have no grant. While suspended the provider refuses them (client
  // unknown); once resumed they are honoured again for the rest of their 10 minutes.
  it('after suspension and resumption, a client_credentials access token issued before the suspension stays dead (introspection active: false)', async () => {
    const metadata = await registerInstitution(t, { name: 'Makine Kurumu', clientId: 'finding-cc', clientCredentials: true, scopes: ['openid'] });
    const rp = await relyingParty(t, metadata);
    const token = (await client.clientCredentialsGrant(rp, {})).access_token;
    const introspect = async () => (await client.tokenIntrospection(rp, token)).active;
    expect(await introspect()).toBe(true);
    const institutions = operatorServices(t.kapi.services).institutions;
    await institutions.suspend({ label: 'test', via: 'cli' }, 'finding-cc', 'leaked secret');
    await institutions.resume({ label: 'test', via: 'cli' }, 'finding-cc');
    expect(await introspect()).toBe(false);
  });

  // F3. POST /console/logout only clears the cookie in this browser and sends the operator to Kapı's
  // end_session page, which asks for a confirmation. Until it is confirmed, a copy of the sealed console
  // cookie (stolen before sign-out) keeps working for the whole `high` session lifetime.
  it("after the operator signs out of the console, a copy of the console cookie taken before is refused, even if Kapı's logout page was not confirmed", async () => {
    const browser = new Browser();
    await consoleSignIn(t, pki, browser, ISMAIL);
    const host = new URL(consoleUrl(t)).host;
    const copy = browser.cookies.get(host)!.get(SESSION_COOKIE)!;
    const sid = sessionIn(t, browser).sid;
    const out = await browser.request(`${consoleUrl(t)}/console/logout`, { form: { _csrf: hmac(deriveKey(t.kapi.config.masterKey, 'console-csrf'), sid) } });
    expect(out.status).toBe(302);
    expect(browser.cookies.get(host)?.get(SESSION_COOKIE) ?? '').toBe(''); // this browser forgot it
    const replay = await raw({ address: '127.0.0.1', port: t.kapi.admin()!.port, path: '/console', host, cookie: `${SESSION_COOKIE}=${copy}` });
    expect(replay.status).toBe(302); // fails: 200 (the copied session still opens the console)
  });
});
