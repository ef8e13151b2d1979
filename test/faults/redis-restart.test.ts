import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { faultsSkipReason, privatePostgres, privateRedis, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Redis (sessions, interactions, codes) restarted at each stage of a login, without persistence: the
// person gets a clean "start again" page (400, in their language), never a 500 or a loop; the next
// login works without restarting Kapı.

const ayse = DEMO_CITIZENS[0];
const skip = faultsSkipReason();
if (skip) console.warn(`skipping fault tests: ${skip}`);
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);

(skip ? describe.skip : describe)('faults: Redis restarted during a login', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    const database = await postgres.createDatabase('kapi_faults_redis');
    t = await startKapi({
      env: { REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'faults:', KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent' },
    });
    rp = await relyingParty(t, await registerInstitution(t));
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  async function expectStartAgain(browser: Browser, url: string) {
    for (let i = 0; i < 2; i++) {
      // Twice: the second visit must not loop or turn into a 500 either.
      const page = await browser.go(url, {}, atCallback);
      expect(page.status).toBe(400);
      expect(page.html).toContain('lang="tr"');
      expect(page.html).toMatch(/yeniden|baştan|tekrar/i);
    }
  }

  async function loginStillWorks() {
    const req = await authRequest(rp);
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    expect(atCallback(page.url)).toBe(true);
    expect((await exchange(rp, req, page.url)).claims()!.acr).toBe('low');
  }

  it('before the form is submitted: the interaction is gone → start-again page; then a new login works', async () => {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    expect(form.html).toContain('name="national_id"');
    await redis.restart();
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(form.html)![1]!.replace(/&amp;/g, '&'), form.url).href;
    const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(form.html)![1]!;
    const posted = await browser.go(action, { form: { _csrf: csrf, national_id: ayse.nationalId, password: ayse.password, submit: 'login' } }, atCallback);
    expect(posted.status).toBe(400);
    await expectStartAgain(browser, form.url);
    await loginStillWorks();
  }, 30_000);

  it('between the form and the consent page: consent after the restart → start-again page, no consent stored', async () => {
    const other = await relyingParty(t, await registerInstitution(t, { name: 'Yeni Kurum' }));
    const browser = new Browser();
    const req = await authRequest(other, { prompt: 'consent' });
    let page = await browser.go(req.url.href, {}, atCallback);
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    const consentsBefore = await t.kapi.services.db('consents').count<{ c: string }[]>({ c: '*' });
    await redis.restart();
    const after = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(after.status).toBe(400);
    expect(atCallback(after.url)).toBe(false);
    expect(await t.kapi.services.db('consents').count<{ c: string }[]>({ c: '*' })).toEqual(consentsBefore);
    await expectStartAgain(browser, page.url);
    await loginStillWorks();
  }, 30_000);

  it('between the code and the token request: the code is gone → invalid_grant (400), never a 500', async () => {
    const req = await authRequest(rp);
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    await redis.restart();
    await expect(exchange(rp, req, page.url)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    await loginStillWorks();
  }, 30_000);

  it('while Redis is down: pages answer 503 quickly with the reason in /readyz; all recovers when it is back', async () => {
    await redis.stop();
    const started = Date.now();
    const page = await new Browser().go((await authRequest(rp)).url.href, {}, atCallback);
    expect(page.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The 503 page says when to come back, as the JSON endpoints' 503 does.
    const direct = await fetch((await authRequest(rp)).url.href, { redirect: 'manual' });
    expect(direct.status).toBe(503);
    expect(direct.headers.get('retry-after')).toBe('5');
    const ready = await fetch(`${t.issuer}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: { name: string; ok: boolean; error?: string }[] };
    expect(body.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: false });
    expect(body.checks.find((c) => c.name === 'database')).toMatchObject({ ok: true });
    await redis.start();
    const end = Date.now() + 10_000;
    while ((await fetch(`${t.issuer}/readyz`)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${t.issuer}/readyz`)).status).toBe(200);
    await loginStillWorks();
  }, 40_000);
});
