import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { loadConfig, ConfigError } from '../../../src/config.js';
import { Registry } from 'prom-client';
import { mobileSignatureWiring } from '../operators.js';
import { MemoryStateStore } from '../../../adapters/storage/state-memory.js';
import { errorText, startMobileSignature, startTestbed, verificationCodeOn, waitAndContinue, type Testbed } from './support.js';

// An operator that is down is reported (readyz detail, metrics) and answers at once, without slowing
// the others; configuration mistakes stop the start with a clear message; the embedded demo wiring
// (the simulator beside Kapı) works end to end.

jest.setTimeout(60_000);
const AYSE = '10000000146';

describe('mobile signature: an operator down', () => {
  let bed: Testbed;
  let t: TestKapi;
  beforeAll(async () => {
    bed = await startTestbed();
    const file = await bed.writeOperators(
      [
        bed.entry('turkcell'),
        bed.entry('vodafone', { endpoint: 'http://127.0.0.1:9/mss', health: { failuresToTrip: 2, coolDownSeconds: 300 } }),
        bed.entry('turk-telekom', { enabled: false }),
      ],
      'down.json',
    );
    t = await startKapi({ env: { KAPI_MOBILE_OPERATORS: file } });
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
  });

  it('lists only enabled operators; a down operator answers at once and shows on /readyz and /metrics; the others still work', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const form = await new Browser().go((await authRequest(rp, { acr_values: 'high' })).url.href, {}, atCallback);
    expect(form.html).toContain('value="vodafone"');
    expect(form.html).not.toContain('value="turk-telekom"');

    const started = Date.now();
    const refused = await startMobileSignature(
      new Browser(),
      (await authRequest(rp)).url.href,
      { nationalId: AYSE, phone: '5300000001', operator: 'vodafone' },
      atCallback,
    );
    expect(refused.status).toBe(503);
    expect(errorText(refused)).toContain('ulaşılamıyor');
    expect(Date.now() - started).toBeLessThan(3000);

    const ready = await fetch(`${t.issuer}/readyz`);
    expect(ready.status).toBe(200); // Kapı itself is ready: the other methods and operators work
    const body = (await ready.json()) as { checks: { name: string; ok: boolean; state?: string; error?: string }[] };
    expect(body.checks.find((c) => c.name === 'mobile-operator:vodafone')).toMatchObject({ state: 'down' });
    expect(body.checks.find((c) => c.name === 'mobile-operator:vodafone')!.error).toMatch(/ECONNREFUSED/);
    expect(body.checks.find((c) => c.name === 'mobile-operator:turkcell')).toMatchObject({ ok: true });
    expect(body.checks.some((c) => c.name === 'mobile-operator:turk-telekom')).toBe(false);
    const metrics = await (await fetch(`${t.issuer}/metrics`)).text();
    expect(metrics).toContain('kapi_mobile_operator_up{operator="vodafone"} 0');

    const again = Date.now();
    const fast = await startMobileSignature(
      new Browser(),
      (await authRequest(rp)).url.href,
      { nationalId: AYSE, phone: '5300000001', operator: 'vodafone' },
      atCallback,
    );
    expect(fast.status).toBe(503);
    expect(Date.now() - again).toBeLessThan(1000);

    const browser = new Browser();
    const req = await authRequest(rp);
    const waiting = await startMobileSignature(browser, req.url.href, { nationalId: AYSE, phone: '5300000001', operator: 'turkcell' }, atCallback);
    verificationCodeOn(waiting);
    const { page } = await waitAndContinue(browser, waiting, atCallback);
    const done = atCallback(page.url) ? page : await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect((await exchange(rp, req, done.url)).claims()!.acr).toBe('high');
  });
});

describe('mobile signature: the operator stops answering while the person signs', () => {
  let bed: Testbed;
  let t: TestKapi;
  beforeAll(async () => {
    bed = await startTestbed();
    t = await startKapi({
      env: { KAPI_MOBILE_OPERATORS: await bed.writeOperators([bed.entry('turkcell', { timeoutSeconds: 3, requestTimeoutMs: 500 })], 'short.json') },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await bed?.close();
  });

  it('keeps waiting while status queries fail, then tells the person the operator cannot be reached', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const browser = new Browser();
    const waiting = await startMobileSignature(
      browser,
      (await authRequest(rp)).url.href,
      { nationalId: AYSE, phone: '5300000010', operator: 'turkcell' },
      atCallback,
    );
    verificationCodeOn(waiting);
    await bed.simulator.close();
    const poll = await browser.request(waiting.url.replace(/\/method\/.*$/, '/poll'));
    expect(await poll.json()).toEqual({ status: 'pending' });
    const { page } = await waitAndContinue(browser, waiting, atCallback);
    expect(page.status).toBe(503);
    expect(errorText(page)).toContain('ulaşılamıyor');
  });
});

describe('mobile signature: configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-mss-config-'));
  });

  it('production refuses the simulator', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x/y',
      REDIS_URL: 'redis://x',
      KAPI_ISSUER: 'https://kapi.example',
      KAPI_TRUST_PROXY_HOPS: '1',
      KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAPI_COOKIE_KEYS: 'k'.repeat(40),
      KAPI_PAIRWISE_SALT: 's'.repeat(40),
      KAPI_REGISTRY_URL: 'https://nvi.example/kapi',
      KAPI_REGISTRY_CERT: 'c.pem',
      KAPI_REGISTRY_KEY: 'k.pem',
    };
    expect(loadConfig(production).mobileSignature.simulator).toBe(false);
    expect(() => loadConfig({ ...production, KAPI_MOBILE_SIMULATOR: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, KAPI_MOBILE_SIMULATOR: 'true' })).toThrow(/MSSP simulator is not allowed in production/);
  });

  it('an operators file with mistakes stops the start and names them', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ operators: [{ id: 'avea', endpoint: 'ftp://x', apId: 'a', apPassword: 'plain', signatureProfile: 'p', trustAnchors: [] }] }),
    );
    const env = { NODE_ENV: 'test', PORT: '0', DATA_DIR: ':memory:', KAPI_LOG_LEVEL: 'silent', KAPI_MOBILE_OPERATORS: bad };
    const error = await mobileSignatureWiring(loadConfig(env), new Registry(), new MemoryStateStore()).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/unknown operator/);
    expect(error?.message).toMatch(/endpoint/);
    expect(error?.message).toMatch(/apPassword/);
    expect(error?.message).toMatch(/trustAnchors/);
    const missingSecret = path.join(dir, 'secret.json');
    await writeFile(
      missingSecret,
      JSON.stringify({
        operators: [
          {
            id: 'turkcell',
            endpoint: 'http://127.0.0.1:9/',
            apId: 'a',
            apPassword: { env: 'KAPI_TEST_SURELY_UNSET_PWD' },
            signatureProfile: 'p',
            trustAnchors: ['nowhere.pem'],
          },
        ],
      }),
    );
    const error2 = await mobileSignatureWiring(loadConfig({ ...env, KAPI_MOBILE_OPERATORS: missingSecret }), new Registry(), new MemoryStateStore()).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error2?.message).toMatch(/nowhere\.pem|KAPI_TEST_SURELY_UNSET_PWD/);
  });
});

describe('mobile signature: the embedded demo wiring (simulator beside Kapı)', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi({ env: { KAPI_MOBILE_SIMULATOR: 'true', KAPI_MOBILE_SIMULATOR_PORT: '0' } });
  });
  afterAll(async () => t?.stop());

  it('signs in through the built-in simulator with the documented demo number', async () => {
    const rp = await relyingParty(t, await registerInstitution(t));
    const browser = new Browser();
    const req = await authRequest(rp);
    const waiting = await startMobileSignature(browser, req.url.href, { nationalId: AYSE, phone: '0530 000 00 01', operator: 'vodafone' }, atCallback);
    verificationCodeOn(waiting);
    const { page } = await waitAndContinue(browser, waiting, atCallback);
    const done = atCallback(page.url) ? page : await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const claims = (await exchange(rp, req, done.url)).claims()!;
    expect(claims.acr).toBe('high');
    expect(claims.amr).toEqual(['hwk', 'mca', 'pin']);
  });
});
