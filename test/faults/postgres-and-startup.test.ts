import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { loginPage } from '../support/conformance-op.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/services.js';
import { translate } from '../../src/i18n/index.js';
import { faultsSkipReason, privatePostgres, privateRedis, SHARED_SECRETS, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { spawnKapi, type KapiProcess } from '../support/kapi-process.js';

// Postgres stopped (immediate shutdown, as a crash) and started again while logins run: requests
// during the gap fail cleanly (a 4xx/503 page or OAuth error, never a 500), Kapı recovers by itself, and
// nothing is left half-written. Startup with a store down reports why; started with Postgres down, a
// real Kapı process waits for it (503 and /readyz saying why) and becomes ready without a restart.

const ayse = DEMO_CITIZENS[0];
const skip = faultsSkipReason();
if (skip) console.warn(`skipping fault tests: ${skip}`);
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);

(skip ? describe.skip : describe)('faults: Postgres restarted while logins run; startup with a store down', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let database: string;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    database = await postgres.createDatabase('kapi_faults_pg');
    t = await startKapi({
      env: { REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'pg:', KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent' },
    });
    rp = await relyingParty(t, await registerInstitution(t, { scopes: ['openid', 'profile', 'offline_access'] }));
  }, 60_000);
  afterAll(async () => {
    await t?.stop().catch(() => {});
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  /** One full login; returns 'ok' or the status/error that stopped it. */
  async function oneLogin(): Promise<string> {
    try {
      const browser = new Browser();
      const req = await authRequest(rp, { scope: 'openid profile' });
      const page = await loginPage(browser, req.url.href, ayse);
      if (!atCallback(page.url)) return `page ${page.status}`;
      await exchange(rp, req, page.url);
      return 'ok';
    } catch (err) {
      const e = err as { status?: number; error?: string; message?: string };
      return `oauth ${e.status ?? '?'} ${e.error ?? e.message}`;
    }
  }

  it('logins during a Postgres restart fail cleanly and work again without restarting Kapı; nothing half-written', async () => {
    const accountsBefore = await t.kapi.services.db('accounts').count<{ c: string }[]>({ c: '*' });
    const outcomes: string[] = [];
    let running = true;
    const workers = [1, 2, 3].map(async () => {
      while (running) outcomes.push(await oneLogin());
    });
    await new Promise((r) => setTimeout(r, 500));
    await postgres.stop('immediate');
    await new Promise((r) => setTimeout(r, 1500));
    await postgres.start();
    // Recovery without a Kapı restart: a login succeeds within a few seconds.
    const end = Date.now() + 15_000;
    let recovered = false;
    while (!recovered && Date.now() < end) recovered = (await oneLogin()) === 'ok';
    running = false;
    await Promise.all(workers);
    console.log(
      `Postgres restart: ${outcomes.length} logins during the run, ${outcomes.filter((o) => o === 'ok').length} succeeded, failures: ${JSON.stringify([...new Set(outcomes.filter((o) => o !== 'ok'))])}`,
    );
    expect(recovered).toBe(true);
    const failures = outcomes.filter((o) => o !== 'ok');
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(0);
    // Clean failures only: no 500 page, no server_error from the token endpoint.
    expect(failures.filter((f) => /\b500\b|server_error/.test(f))).toEqual([]);
    expect((await fetch(`${t.issuer}/readyz`)).status).toBe(200);

    // Nothing half-written: no new accounts, every consent and credential belongs to an existing account.
    expect(await t.kapi.services.db('accounts').count<{ c: string }[]>({ c: '*' })).toEqual(accountsBefore);
    const orphanConsents = await t.kapi.services.db('consents').leftJoin('accounts', 'accounts.id', 'consents.account_id').whereNull('accounts.id');
    expect(orphanConsents).toEqual([]);
    const orphanCredentials = await t.kapi.services
      .db('password_credentials')
      .leftJoin('accounts', 'accounts.id', 'password_credentials.account_id')
      .whereNull('accounts.id');
    expect(orphanCredentials).toEqual([]);
  }, 60_000);

  it('while Postgres is down /readyz says not ready and why; after it returns, ready again', async () => {
    await postgres.stop('immediate');
    try {
      const res = await fetch(`${t.issuer}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { checks: { name: string; ok: boolean; error?: string }[] };
      expect(body.checks.find((c) => c.name === 'database')).toMatchObject({ ok: false });
      expect(body.checks.find((c) => c.name === 'database')?.error).toBeTruthy();
      expect(body.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: true });
      const page = await new Browser().go((await authRequest(rp)).url.href, {}, atCallback);
      expect(page.status).toBeLessThan(500 + 4); // a 503 "temporarily unavailable" page at worst
      expect(page.status).not.toBe(500);
    } finally {
      await postgres.start();
    }
    const end = Date.now() + 10_000;
    while ((await fetch(`${t.issuer}/readyz`)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${t.issuer}/readyz`)).status).toBe(200);
  }, 40_000);

  it('startup with Redis down: Kapı starts, /readyz names Redis as not ready, and it recovers when Redis returns', async () => {
    await redis.stop();
    let second: TestKapi | undefined;
    try {
      const starting = startKapi({ env: { REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'pg2:' } });
      const outcome = await Promise.race([
        starting.then(
          (k) => k,
          (err: unknown) => err as Error,
        ),
        new Promise<'slow'>((r) => setTimeout(() => r('slow'), 15_000)),
      ]);
      if (outcome instanceof Error) {
        // Refusing to start is acceptable only with a message that names the store.
        expect(outcome.message).toMatch(/redis/i);
        return;
      }
      expect(outcome).not.toBe('slow');
      second = outcome as TestKapi;
      const res = await fetch(`${second.issuer}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: { name: string; ok: boolean }[] }).checks.find((c) => c.name === 'redis')).toMatchObject({ ok: false });
      await redis.start();
      const end = Date.now() + 10_000;
      while ((await fetch(`${second.issuer}/readyz`)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(`${second.issuer}/readyz`)).status).toBe(200);
    } finally {
      await redis.start().catch(() => {});
      await second?.stop();
    }
  }, 40_000);

  /** Polls until `check` holds; fails early when the Kapı process has ended. */
  async function until(what: string, check: () => Promise<boolean>, ms: number, kapi: KapiProcess): Promise<void> {
    let ended = false;
    void kapi.exited.then(() => (ended = true));
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (ended) throw new Error(`Kapı exited while waiting for ${what}:\n${kapi.output().slice(-3000)}`);
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what}: not within ${ms / 1000} s\n${kapi.output().slice(-3000)}`);
  }

  /** DATABASE_URL of a fresh database with a password in it (trust authentication ignores it; it must never be shown). */
  const withPassword = (url: string, password: string) => url.replace('postgres@', `postgres:${encodeURIComponent(password)}@`);

  it('startup with Postgres down: the process serves /healthz, /readyz 503 with the reason and 503 pages, then migrates, seeds and becomes ready when Postgres returns; a full login works', async () => {
    // A database never migrated: when Postgres returns, this Kapı must run the migrations and seed it.
    const password = 'Startup-Pw-3kq9Zt';
    const url = withPassword(await postgres.createDatabase('kapi_faults_startup'), password);
    await postgres.stop('immediate');
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = {
      ...SHARED_SECRETS,
      NODE_ENV: 'test',
      PORT: String(port),
      KAPI_ISSUER: issuer,
      DATA_DIR: ':memory:',
      KAPI_DEMO: 'true',
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      KAPI_REDIS_PREFIX: 'pg4:',
      KAPI_LOG_LEVEL: 'warn',
    };
    const kapi = spawnKapi(env);
    let services: Services | undefined;
    try {
      // Starting a process under tsx takes seconds on a loaded machine; generous.
      await until('/healthz', async () => (await fetch(`${issuer}/healthz`)).status === 200, 90_000, kapi);

      const ready = await fetch(`${issuer}/readyz`);
      const readyText = await ready.text();
      expect(ready.status).toBe(503);
      const database = (JSON.parse(readyText) as { checks: { name: string; ok: boolean; error?: string }[] }).checks.find((c) => c.name === 'database');
      expect(database).toMatchObject({ ok: false });
      expect(database?.error).toMatch(/not reachable yet/);
      expect(database?.error).toMatch(/ECONNREFUSED/);
      expect(database?.error).toContain(`127.0.0.1:${postgres.port}/kapi_faults_startup`);
      expect(readyText).not.toContain(password);

      // A person's page: the clean 503 page, in Turkish by default.
      const page = await new Browser().go(`${issuer}/auth?client_id=demo-institution&response_type=code&scope=openid`);
      expect(page.status).toBe(503);
      expect(page.html).toContain(translate('tr', 'storage_unavailable'));
      // An institution's JSON endpoint: temporarily_unavailable with Retry-After.
      const token = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=x',
      });
      expect(token.status).toBe(503);
      expect(token.headers.get('retry-after')).toBeTruthy();
      expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });

      await postgres.start();
      await until('/readyz 200 after Postgres returned', async () => (await fetch(`${issuer}/readyz`)).status === 200, 90_000, kapi);

      // The same process, now fully built: an institution registered through the services the `kapi`
      // command uses (same database, same master key), then a password login and a token exchange.
      services = await openServices(loadConfig(env));
      const metadata = await registerInstitution({ kapi: { services }, issuer } as unknown as TestKapi, { scopes: ['openid', 'profile'] });
      const rp = await relyingParty({ issuer } as TestKapi, metadata);
      const req = await authRequest(rp, { scope: 'openid profile' });
      const login = await loginPage(new Browser(), req.url.href, ayse);
      expect(atCallback(login.url)).toBe(true);
      const tokens = await exchange(rp, req, login.url);
      expect(tokens.access_token).toBeTruthy();
      // Ayşe exists only because the demo citizens were seeded into the fresh database.
      expect(tokens.claims()?.sub).toBeTruthy();

      // It said why while it waited, and never the password.
      expect(kapi.output()).toMatch(/database not reachable yet/);
      expect(kapi.output()).toMatch(/Kapı is listening on/);
      expect(kapi.output()).not.toContain(password);
    } finally {
      await services?.close();
      await kapi.stop();
      await postgres.start().catch(() => {});
    }
  }, 240_000);

  it('startup with Postgres down and KAPI_STARTUP_DATABASE_WAIT_SECONDS: the process gives up after that long, saying why, without the password', async () => {
    const password = 'Deadline-Pw-8vR2mQ';
    const url = withPassword(await postgres.createDatabase('kapi_faults_deadline'), password);
    await postgres.stop('immediate');
    const port = await freePort();
    const kapi = spawnKapi({
      ...SHARED_SECRETS,
      NODE_ENV: 'test',
      PORT: String(port),
      KAPI_ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: ':memory:',
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      KAPI_REDIS_PREFIX: 'pg5:',
      KAPI_LOG_LEVEL: 'warn',
      KAPI_STARTUP_DATABASE_WAIT_SECONDS: '3',
    });
    try {
      // The deadline is the feature: 3 s of waiting, with a generous margin for starting the process.
      const outcome = await Promise.race([kapi.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 90_000))]);
      expect(outcome).not.toBe('still running');
      expect((outcome as { code: number | null }).code).not.toBe(0);
      const output = kapi.output();
      expect(output).toMatch(
        /Kapı failed to start: the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/kapi_faults_deadline was not reachable within 3 s \(KAPI_STARTUP_DATABASE_WAIT_SECONDS\)/,
      );
      expect(output).toMatch(/ECONNREFUSED/);
      expect(output).not.toContain(password);
    } finally {
      await kapi.stop();
      await postgres.start();
    }
  }, 120_000);
});
