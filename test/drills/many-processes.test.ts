import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import { HAS_HAPROXY, startHaproxy, type PrivateHaproxy } from '../../bench/lib/haproxy.js';
import { freeLowPort } from '../../bench/lib/ports.js';
import { loadConfig } from '../../src/config.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { openServices } from '../../src/services.js';
import { Browser } from '../support/browser.js';
import { faultsSkipReason, privateRedis, SHARED_SECRETS, type PrivateRedis } from '../support/faults-services.js';
import { formOf, postAll, statusCounts } from '../attacks/guess-limits-support.js';
import { atCallback, authRequest, CALLBACK, exchange } from '../support/institution.js';
import { spawnKapi, type KapiProcess } from '../support/kapi-process.js';
import { recordSecret } from '../support/secret-record.js';
import { createTestDatabase, postgresAvailable, POSTGRES_ADMIN_URL, requireOrSkip } from '../support/services.js';

// Issue 22 point 3: two real Kapı server processes (src/main.ts, as an operator runs them) behind a
// private HAProxy, on one fresh Postgres database and one Redis key prefix, with the same secrets and
// the proxy's URL as their issuer. A citizen's sign-in and the institution's calls are sent to one
// process or the other at every step (the proxy routes a request carrying `x-kapi-process: a|b` to that
// process and says in `x-kapi-served-by` which one answered); guesses spread over both meet one limit;
// a key rotation is seen by both. The in-process variant of these journeys, for every method, is
// test/faults/two-processes*.test.ts; this one proves it with the proxy and real processes.
// Runs in CI's Postgres pass only (jest.config.js: test/drills/).

const run = promisify(execFile);
const AYSE = DEMO_CITIZENS[0]!;
const LIMIT = 5; // password guesses per number before the password method closes for it
const GUESSED = DEMO_CITIZENS[2]!; // not Ayşe: her password method stays open for the other tests

async function toolsPresent(): Promise<boolean> {
  return HAS_HAPROXY && !faultsSkipReason() && Boolean(process.env.DATABASE_URL) && (await postgresAvailable());
}
const drill = requireOrSkip('the many-processes drill (DATABASE_URL, haproxy, redis-server)', await toolsPresent(), POSTGRES_ADMIN_URL);

type Via = 'a' | 'b';

/** A browser whose every request is sent to one named Kapı process through the proxy; it notes who answered. */
class ViaBrowser extends Browser {
  via: Via = 'a';
  readonly served: Array<{ via: Via; by: string | null; path: string }> = [];
  override async request(url: string, init: Parameters<Browser['request']>[1] = {}): Promise<Response> {
    const res = await super.request(url, { ...init, headers: { 'x-kapi-process': this.via, ...init.headers } });
    const via = (init.headers?.['x-kapi-process'] as Via | undefined) ?? this.via; // a request may name its own
    this.served.push({ via, by: res.headers.get('x-kapi-served-by'), path: new URL(url).pathname });
    return res;
  }
}

async function waitReady(url: string, kapi: KapiProcess, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const code = await Promise.race([kapi.exited.then(() => -1), new Promise<number>((r) => setTimeout(() => r(0), 0))]);
    if (code === -1) throw new Error(`Kapı exited during start:\n${kapi.output().slice(-2000)}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Kapı did not become ready within ${ms} ms:\n${kapi.output().slice(-2000)}`);
}

drill('two Kapı processes behind HAProxy (issue 22 point 3)', () => {
  const started = Date.now();
  let redis: PrivateRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: PrivateHaproxy;
  const kapi: Partial<Record<Via, KapiProcess>> = {};
  const direct: Record<Via, string> = { a: '', b: '' };
  let env: Record<string, string>;
  let rp: client.Configuration;
  let institution: { client_id: string; client_secret: string };
  let rpVia: Via = 'a';
  const tokenServedBy: Array<{ via: Via; by: string | null }> = [];

  beforeAll(async () => {
    [redis, db] = await Promise.all([privateRedis(), createTestDatabase()]);
    const [portA, portB, proxyPort] = [await freeLowPort(), await freeLowPort(), await freeLowPort()];
    direct.a = `http://127.0.0.1:${portA}`;
    direct.b = `http://127.0.0.1:${portB}`;
    proxy = await startHaproxy({
      port: proxyPort,
      kapi: [
        { name: 'a', port: portA },
        { name: 'b', port: portB },
      ],
    });
    env = {
      NODE_ENV: 'test',
      KAPI_ISSUER: proxy.url,
      KAPI_TRUST_PROXY_HOPS: '1', // the proxy's X-Forwarded-For / -Proto
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      KAPI_REDIS_PREFIX: 'many:',
      KAPI_DEMO: 'true',
      KAPI_MOBILE_SIMULATOR: 'false',
      KAPI_DEMO_BANK: 'false',
      KAPI_LOG_LEVEL: 'warn',
      // No delays and room on the address, so the per-number limit is the one counted.
      KAPI_GUESS_LOCK_AFTER: String(LIMIT),
      KAPI_GUESS_DELAY_AFTER: '100',
      KAPI_GUESS_IP_LIMIT: '1000',
      KAPI_GUESS_PREFIX_LIMIT: '1000',
      ...SHARED_SECRETS,
    };
    for (const [name, value] of Object.entries(SHARED_SECRETS)) for (const part of value.split(',')) recordSecret('configuration secret', part, name);
    for (const c of DEMO_CITIZENS) recordSecret('password', c.password, 'demo citizens');

    // The institution, registered before the processes start (as `kapi clients add` would): this also
    // migrates the fresh database, so the two processes do not race for it.
    const services = await openServices(loadConfig({ ...env, PORT: String(portA) }));
    const metadata = await services.clients.add({
      name: 'Çok Süreçli Kurum',
      redirectUris: [CALLBACK],
      authMethod: 'client_secret_basic',
      scopes: ['openid', 'profile', 'national_id', 'offline_access'],
    });
    await services.close();
    institution = { client_id: metadata.client_id as string, client_secret: metadata.client_secret as string };
    recordSecret('client secret', institution.client_secret, 'drill institution');

    // One after the other: the first start seeds the demo citizens and makes the signing keys.
    for (const [via, port] of [
      ['a', portA],
      ['b', portB],
    ] as const) {
      kapi[via] = spawnKapi({ ...env, PORT: String(port) });
      await waitReady(direct[via], kapi[via]!);
    }

    // The institution reaches Kapı through the proxy; each of its requests goes to the process chosen in rpVia.
    rp = await client.discovery(
      new URL(proxy.url),
      metadata.client_id as string,
      { id_token_signed_response_alg: 'RS256' },
      client.ClientSecretBasic(metadata.client_secret as string),
      { execute: [client.allowInsecureRequests] },
    );
    rp[client.customFetch] = async (url, options) => {
      const via = rpVia;
      const res = await fetch(url, { ...options, headers: { ...(options.headers as Record<string, string>), 'x-kapi-process': via } } as RequestInit);
      tokenServedBy.push({ via, by: res.headers.get('x-kapi-served-by') });
      return res;
    };
  }, 150_000);

  afterAll(async () => {
    await Promise.all([kapi.a?.stop(), kapi.b?.stop()].map((p) => p?.catch(() => undefined)));
    await proxy?.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    // The whole drill, start-up included, stays short enough for CI's Postgres pass.
    console.log(`many-processes drill: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 30_000);

  const jwksVia = async (via: Via) => (await (await fetch(`${proxy.url}/jwks`, { headers: { 'x-kapi-process': via } })).json()) as JSONWebKeySet;

  it('a sign-in alternates processes at every step: authorization request on A, password on B, consent on A, code redeemed on B, refresh on A, userinfo on B, silent sign-in on B', async () => {
    const browser = new ViaBrowser();
    const req = await authRequest(rp, { scope: 'openid profile national_id offline_access', prompt: 'consent' });
    browser.via = 'a';
    let page = await browser.go(req.url.href, {}, atCallback);
    expect(page.html).toContain('name="national_id"');
    browser.via = 'b';
    page = await browser.submit(page, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    browser.via = 'a';
    page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);

    rpVia = 'b';
    const tokens = await exchange(rp, req, page.url);
    expect(tokens.claims()!.acr).toBe('low');
    rpVia = 'a';
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    rpVia = 'b';
    const userinfo = await client.fetchUserInfo(rp, refreshed.access_token, tokens.claims()!.sub);
    expect(userinfo.national_id).toBe(AYSE.nationalId);

    // The session made through A and B is known to B alone too: prompt=none answers with a code.
    browser.via = 'b';
    const silent = await authRequest(rp, { prompt: 'none' });
    expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('code')).toBeTruthy();

    // Every request was answered by the process it was sent to, and both took part.
    for (const s of [...browser.served, ...tokenServedBy]) expect(s.by).toBe(s.via);
    expect(new Set(browser.served.map((s) => s.by))).toEqual(new Set(['a', 'b']));
    expect(new Set(tokenServedBy.map((s) => s.by))).toEqual(new Set(['a', 'b']));
  });

  it('one code redeemed on A and B at once is accepted once', async () => {
    const browser = new ViaBrowser();
    const req = await authRequest(rp);
    const page = await browser
      .go(req.url.href, {}, atCallback)
      .then((p) => browser.submit(p, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback));
    expect(atCallback(page.url)).toBe(true); // consent for these scopes was given in the first test
    // Separate configurations so that each redemption keeps its own process while they run together.
    const redeem = async (via: Via) => {
      const own = await client.discovery(
        new URL(proxy.url),
        institution.client_id,
        { id_token_signed_response_alg: 'RS256' },
        client.ClientSecretBasic(institution.client_secret),
        { execute: [client.allowInsecureRequests] },
      );
      own[client.customFetch] = (url, options) =>
        fetch(url, { ...options, headers: { ...(options.headers as Record<string, string>), 'x-kapi-process': via } } as RequestInit);
      return exchange(own, req, page.url);
    };
    const results = await Promise.allSettled([redeem('a'), redeem('b'), redeem('a'), redeem('b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: 'invalid_grant' });
  });

  it(`${2 * LIMIT} parallel wrong passwords spread over A and B reach argon2 exactly ${LIMIT} times in all, and the right password after them is refused on either process (one guess limit for the deployment)`, async () => {
    const verifications = async () => {
      let sum = 0;
      for (const via of ['a', 'b'] as const) {
        const text = await (await fetch(`${direct[via]}/metrics`)).text();
        sum += Number(/^kapi_password_verifications_total (\d+)/m.exec(text)?.[1] ?? NaN);
      }
      return sum;
    };
    const browser = new ViaBrowser();
    browser.via = 'a';
    const page = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    const form = formOf(page, { name: 'submit', value: 'login' });
    const before = await verifications();
    const posted = browser.served.length;
    // postAll sends them at once from one browser (same cookies); the header sends half to each process.
    const answers = (
      await Promise.all(
        (['a', 'b'] as const).map((via) =>
          postAll(
            browser,
            form,
            Array.from({ length: LIMIT }, (_, i) => ({ national_id: GUESSED.nationalId, password: `wrong-${via}-${i}` })),
            { 'x-kapi-process': via },
          ),
        ),
      )
    ).flat();
    expect(
      browser.served
        .slice(posted)
        .map((s) => s.by)
        .sort(),
    ).toEqual([...Array(LIMIT).fill('a'), ...Array(LIMIT).fill('b')]);
    expect((await verifications()) - before).toBe(LIMIT);
    expect(statusCounts(answers)).toEqual({ 401: LIMIT, 429: LIMIT });
    for (const via of ['a', 'b'] as const) {
      const right = await postAll(browser, form, [{ national_id: GUESSED.nationalId, password: GUESSED.password }], { 'x-kapi-process': via });
      expect(right[0]!.status).toBe(429);
    }
    expect((await verifications()) - before).toBe(LIMIT);
  });

  it("a key rotation (`kapi keys rotate`, announced over Redis) is seen in both processes' JWKS, and an ID token A signs with the new key verifies against B's JWKS", async () => {
    const before = (await jwksVia('b')).keys.map((k) => k.kid);
    expect((await jwksVia('a')).keys.map((k) => k.kid).sort()).toEqual([...before].sort());
    // The operator's command, a third process on the same database and Redis.
    const { stdout } = await run(process.execPath, [fileURLToPath(new URL('../../bin/kapi.mjs', import.meta.url)), 'keys', 'rotate', '--force', '--json'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: 60_000,
    });
    const rotation = JSON.parse(stdout) as { activated: string[] };
    expect(rotation.activated.length).toBeGreaterThan(0);
    const seen = async (via: Via) => {
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const kids = (await jwksVia(via)).keys.map((k) => k.kid);
        if (kids.some((k) => !before.includes(k))) return kids.sort();
        await new Promise((r) => setTimeout(r, 100));
      }
      return before;
    };
    const [afterA, afterB] = await Promise.all([seen('a'), seen('b')]);
    expect(afterA).not.toEqual([...before].sort());
    expect(afterB).toEqual(afterA);

    // A signs an ID token (code made on A, redeemed on A) with a newly activated key; B's JWKS verifies it.
    const browser = new ViaBrowser();
    browser.via = 'a';
    rpVia = 'a';
    const req = await authRequest(rp);
    const page = await browser
      .go(req.url.href, {}, atCallback)
      .then((p) => browser.submit(p, { national_id: AYSE.nationalId, password: AYSE.password }, { name: 'submit', value: 'login' }, atCallback));
    const idToken = (await exchange(rp, req, page.url)).id_token!;
    expect(rotation.activated).toContain(decodeProtectedHeader(idToken).kid);
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(await jwksVia('b')), { issuer: proxy.url, audience: rp.clientMetadata().client_id });
    expect(payload.sub).toBeTruthy();
  });
});
