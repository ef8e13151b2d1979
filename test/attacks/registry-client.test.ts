import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpsRegistry, type HttpsRegistryOptions } from '../../adapters/population-registry/https-client.js';
import { startRegistrySimulator, type RegistrySimulator } from '../../adapters/population-registry/server.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { configProblems } from '../support/config.js';
import { KapiError } from '../../src/errors.js';
import { checkDigits } from '../../src/identity/national-id.js';
import { createPopulationRegistry } from '../../src/population-registry-wiring.js';
import { Browser, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { createRegistryTls, type TlsFiles } from '../support/registry-tls.js';

// Issue 22 point 4: the production population-registry client (adapters/population-registry/
// https-client.ts) against the simulator serving the same contract (docs/population-registry.openapi.json)
// over HTTPS with mutual TLS. Each `it` is an attempt or a failure of the registry, and the property kept.

const AYSE = '10000000146';
const MEHMET = '12345678950';
const CAGLA = '10090908018';
const NOBODY = [3, 1, 4, 1, 5, 9, 2, 6, 5, ...checkDigits([3, 1, 4, 1, 5, 9, 2, 6, 5])].join(''); // well formed, held by nobody

let tls: TlsFiles;
let sim: RegistrySimulator;
const clients: HttpsRegistry[] = [];

function client(options: Partial<HttpsRegistryOptions> = {}): HttpsRegistry {
  const registry = new HttpsRegistry({
    baseUrl: sim.url,
    tls: { cert: tls.pem.clientCert, key: tls.pem.clientKey, ca: tls.pem.ca },
    timeoutMs: 2000,
    ...options,
  });
  clients.push(registry);
  return registry;
}

async function failure(promise: Promise<unknown>): Promise<KapiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KapiError);
  return err as KapiError;
}

beforeAll(async () => {
  tls = await createRegistryTls();
  sim = await startRegistrySimulator({ tls: { cert: tls.pem.serverCert, key: tls.pem.serverKey, ca: tls.pem.ca } });
});
afterEach(() => {
  sim.setBehaviour('normal');
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await sim?.close();
  await tls?.remove();
});

describe('the registry client over mutual TLS (issue 22 point 4)', () => {
  it('with the configured client certificate and CA, Kapı gets the record, and the registry saw its certificate', async () => {
    const person = await client().lookup(AYSE);
    expect(person).toMatchObject({ nationalId: AYSE, givenName: 'Ayşe', familyName: 'Yılmaz', documentSerial: 'A12B34567', alive: true });
    expect(sim.clients.at(-1)).toBe('kapi-client');
    expect(await client().lookup(NOBODY)).toBeNull(); // 404: nobody by that number, not an error
  });

  it('a client without a certificate, or with one from another CA, is refused in the handshake: identity records go only to Kapı', async () => {
    const before = sim.requests;
    const anonymous = await failure(client({ tls: { ca: tls.pem.ca } }).lookup(AYSE));
    expect(anonymous.code).toBe('upstream_unavailable');
    expect(anonymous.status).toBe(503);
    const stranger = await failure(client({ tls: { cert: tls.pem.strangerCert, key: tls.pem.strangerKey, ca: tls.pem.ca } }).lookup(AYSE));
    expect(stranger.message).toMatch(/population registry: cannot reach it/);
    expect(sim.requests).toBe(before); // no lookup reached the registry
  });

  it('Kapı refuses a registry whose certificate is not from the configured CA (no impersonated registry can invent people)', async () => {
    const before = sim.requests;
    const err = await failure(client({ tls: { cert: tls.pem.clientCert, key: tls.pem.clientKey, ca: tls.pem.strangerCert } }).lookup(AYSE));
    expect(err.message).toMatch(/cannot reach it \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER|DEPTH_ZERO)/);
    const publicRootsOnly = await failure(client({ tls: { cert: tls.pem.clientCert, key: tls.pem.clientKey } }).lookup(AYSE));
    expect(publicRootsOnly.code).toBe('upstream_unavailable');
    expect(sim.requests).toBe(before);
  });

  it("an answer about another identity number is refused, never taken as this person's record", async () => {
    sim.setBehaviour('another-person');
    const err = await failure(client().lookup(MEHMET));
    expect(err.message).toBe('population registry: answer is about another identity number');
    expect(err.message).not.toContain(MEHMET); // errors are logged: no identity number in them
  });

  it('a hanging registry costs one timeout per request until the circuit opens; then lookups fail at once with a clear error, and one trial after the cool-down closes it', async () => {
    let now = 1_000_000;
    const registry = client({ timeoutMs: 300, now: () => now, breaker: { failuresToTrip: 3, coolDownMs: 30_000 } });
    sim.setBehaviour('hang');
    for (const id of [AYSE, MEHMET, CAGLA]) {
      const started = performance.now();
      expect((await failure(registry.lookup(id))).message).toBe('population registry: no answer within 300 ms');
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    }
    expect(registry.circuit.state).toBe('open');
    const asked = sim.requests;
    // Refused without asking: the simulator sees no request (below), so nothing waits for its timeout.
    const open = await failure(registry.lookup(AYSE));
    expect(open.status).toBe(503);
    expect(open.message).toBe('population registry not asked: circuit open for 30 s more after repeated failures (last: no answer within 300 ms)');
    expect(sim.requests).toBe(asked);

    sim.setBehaviour('normal');
    now += 30_001;
    expect(registry.circuit.state).toBe('half-open');
    expect(await registry.lookup(AYSE)).toMatchObject({ nationalId: AYSE });
    expect(registry.circuit.state).toBe('closed');
  });

  it('5xx answers count as failures too: a registry answering 503 opens the circuit', async () => {
    const registry = client({ breaker: { failuresToTrip: 2 } });
    sim.setBehaviour('unavailable');
    expect((await failure(registry.lookup(AYSE))).message).toBe('population registry: answered HTTP 503');
    await failure(registry.lookup(AYSE));
    expect(registry.circuit.state).toBe('open');
  });

  it("answers are kept for the cache's time to live only, known and unknown numbers alike, and callers get copies", async () => {
    let now = 5_000_000;
    const registry = client({ now: () => now, cache: { maxEntries: 100, ttlMs: 60_000 } });
    const first = sim.requests;
    const person = await registry.lookup(AYSE);
    person!.givenName = 'Changed';
    expect(await registry.lookup(NOBODY)).toBeNull();
    now += 59_000;
    expect((await registry.lookup(AYSE))?.givenName).toBe('Ayşe');
    expect(await registry.lookup(NOBODY)).toBeNull();
    expect(sim.requests).toBe(first + 2);
    now += 2_000; // past the time to live
    await registry.lookup(AYSE);
    expect(sim.requests).toBe(first + 3);
  });

  it('the cache is bounded: a stranger walking numbers cannot grow it, the least recently used goes first', async () => {
    const registry = client({ cache: { maxEntries: 2, ttlMs: 60_000 } });
    const first = sim.requests;
    await registry.lookup(AYSE);
    await registry.lookup(MEHMET);
    await registry.lookup(AYSE); // AYSE is now the most recent
    await registry.lookup(CAGLA); // pushes MEHMET out
    expect(sim.requests).toBe(first + 3);
    await registry.lookup(AYSE);
    expect(sim.requests).toBe(first + 3);
    await registry.lookup(MEHMET);
    expect(sim.requests).toBe(first + 4);
  });
});

describe('configuring the registry (issue 22 point 4)', () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://kapi@db/kapi',
    REDIS_URL: 'redis://cache:6379',
    KAPI_ISSUER: 'https://giris.example.gov.tr',
    KAPI_TRUST_PROXY_HOPS: '1',
    KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    KAPI_COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(32)}`,
    KAPI_PAIRWISE_SALT: 's'.repeat(32),
  };
  it('production without a registry refuses to start, saying what is missing, instead of answering 503 to the citizens who need it', () => {
    expect(configProblems(production)).toEqual([
      expect.stringMatching(/^KAPI_REGISTRY_URL is missing: production needs the population registry \(password reset, office issuance/),
    ]);
    expect(configProblems({ ...production, KAPI_REGISTRY_URL: 'http://nvi.example/kapi', KAPI_REGISTRY_CERT: 'c.pem', KAPI_REGISTRY_KEY: 'k.pem' })).toEqual([
      expect.stringMatching(/KAPI_REGISTRY_URL must be an https/),
      expect.stringMatching(/need an https/),
    ]);
    expect(configProblems({ ...production, KAPI_REGISTRY_URL: 'https://nvi.example/kapi' })).toEqual([
      expect.stringMatching(/KAPI_REGISTRY_CERT and KAPI_REGISTRY_KEY are missing.*mutual TLS/),
    ]);
    expect(
      configProblems({
        ...production,
        KAPI_REGISTRY_URL: 'https://nvi.example/kapi',
        KAPI_REGISTRY_CERT: 'c.pem',
        KAPI_REGISTRY_KEY: 'k.pem',
        KAPI_REGISTRY_CA: 'ca.pem',
      }),
    ).toEqual([]);
    // Outside production the fixtures stand in, and a half-configured client certificate is refused everywhere.
    expect(loadConfig({}).populationRegistry).toBeUndefined();
    expect(configProblems({ KAPI_REGISTRY_URL: 'https://nvi.example/kapi', KAPI_REGISTRY_CERT: 'c.pem' })).toEqual([expect.stringMatching(/go together/)]);
  });

  it("unreadable certificate files, or a key that is not the certificate's, stop the start with the variable's name (not the first citizen's reset)", async () => {
    const env = { KAPI_REGISTRY_URL: sim.url, KAPI_REGISTRY_CA: tls.caFile };
    expect(() =>
      createPopulationRegistry(loadConfig({ ...env, KAPI_REGISTRY_CERT: path.join(tls.dir, 'missing.pem'), KAPI_REGISTRY_KEY: tls.clientKeyFile })),
    ).toThrow(/KAPI_REGISTRY_CERT: cannot read .*missing\.pem \(ENOENT\)/);
    expect(() => createPopulationRegistry(loadConfig({ ...env, KAPI_REGISTRY_CERT: tls.clientCertFile, KAPI_REGISTRY_KEY: tls.strangerKeyFile }))).toThrow(
      /not a usable certificate, key and CA \(.*key values mismatch/,
    );
    const garbage = path.join(tls.dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate');
    expect(() => createPopulationRegistry(loadConfig({ ...env, KAPI_REGISTRY_CERT: garbage, KAPI_REGISTRY_KEY: tls.clientKeyFile }))).toThrow(ConfigError);
  });
});

describe('a password reset through Kapı with the HTTPS registry (issue 22 point 4)', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi({
      env: {
        KAPI_REGISTRY_URL: sim.url,
        KAPI_REGISTRY_CERT: tls.clientCertFile,
        KAPI_REGISTRY_KEY: tls.clientKeyFile,
        KAPI_REGISTRY_CA: tls.caFile,
        KAPI_REGISTRY_CACHE_SECONDS: '0',
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function start(browser: Browser, fields: Record<string, string>): Promise<Page> {
    const page = await browser.go(`${t.issuer}/account/reset`);
    return browser.submit(page, fields, { name: 'submit', value: 'start' });
  }

  it("checks the typed details against the real client's answer and sends the code; a registry that is down answers 503, never a decoy that looks like success", async () => {
    const before = sim.requests;
    const browser = new Browser();
    const codePage = await start(browser, { national_id: AYSE, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' });
    expect(codePage.url).toBe(`${t.issuer}/account/reset/code`);
    expect(sim.requests).toBeGreaterThan(before);
    expect(sim.clients.at(-1)).toBe('kapi-client');
    const sms = t.kapi.messaging.smsOutbox!.latest('+905321112233')!;
    const code = /\b(\d{6})\b/.exec(sms.text)![1]!;
    const pwPage = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
    expect(pwPage.url).toBe(`${t.issuer}/account/reset/password`);
    const next = 'Kayittan-Gelen-Yeni-Sifre-22';
    const done = await browser.submit(pwPage, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' });
    expect(done.url).toBe(`${t.issuer}/account/reset/done`);

    sim.setBehaviour('unavailable');
    const down = await start(new Browser(), { national_id: MEHMET, birthdate: '1972-11-03', document_serial: 'B23C45678', phone: '0532 000 00 00' });
    expect(down.status).toBe(503);
  });
});
