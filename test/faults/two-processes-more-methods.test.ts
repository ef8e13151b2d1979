import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import type { DeviceClient } from '../../src/device-client/client.js';
import { BANK_A, atBank, bankLink, startBankWorld, toBank, type BankWorld } from '../../interactions/banking/test/support.js';
import { Browser, type Page } from '../support/browser.js';
import { faultsSkipReason, privatePostgres, privateRedis, SHARED_SECRETS, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import {
  appToken,
  approvalFor,
  citizen,
  consent,
  continueWaiting,
  numberOn,
  phoneFromRegistry,
  registerDevice,
  setTwoFactor,
  smsCode,
} from '../../interactions/second-factor/test/support.js';
import { secondFactorModule } from '../../interactions/second-factor/index.js';

// The rest of "a login started on one Kapı process finishes on the other" (test/faults/two-processes.test.ts
// covers password and smart card, interactions/mobile-signature/test/two-processes.test.ts mobile signature): online
// banking, the SMS second factor with its shared guess limit, and device approval. Two instances of one
// deployment (same issuer, secrets, Postgres database and Redis prefix), as behind a load balancer.

const ayse = DEMO_CITIZENS[0];
const AYSE_AT_BANK = { login: '4000146', password: 'Demo-Banka-146' };
const skip = faultsSkipReason();
if (skip) console.warn(`skipping fault tests: ${skip}`);
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);

/** A browser whose requests go to one instance or the other, keeping one cookie jar (one site). */
class BalancedBrowser extends Browser {
  target: 'a' | 'b' = 'a';
  constructor(
    private readonly hostA: string,
    private readonly hostB: string,
  ) {
    super();
    const jar = new Map<string, string>();
    this.cookies.set(hostA, jar);
    this.cookies.set(hostB, jar);
  }
  override request(url: string, init: Parameters<Browser['request']>[1] = {}): Promise<Response> {
    const u = new URL(url);
    if (u.host === this.hostA || u.host === this.hostB) u.host = this.target === 'a' ? this.hostA : this.hostB;
    return super.request(u.href, init);
  }
}

/** The interaction's own address (/interaction/:uid) from any page of it. */
const interactionOf = (page: Page) => page.url.replace(/(\/interaction\/[^/?#]+).*$/, '$1');

/** The password (choosing it first when the chooser shows: banks are configured), then whatever page comes next. */
async function password(browser: Browser, start: string, nationalId: string, secret: string, stopAt: (l: string) => boolean = atCallback): Promise<Page> {
  let page = await browser.go(start, {}, stopAt);
  if (page.html.includes('data-method="password"')) page = await browser.submit(page, {}, { name: 'method', value: 'password' }, stopAt);
  expect(page.html).toContain('name="national_id"');
  return browser.submit(page, { national_id: nationalId, password: secret }, { name: 'submit', value: 'login' }, stopAt);
}

(skip ? describe.skip : describe)('faults: two Kapı processes, banking and second factors', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let world: BankWorld;
  let a: TestKapi;
  let b: TestKapi;
  let rpA: client.Configuration;
  let hostA: string;
  let hostB: string;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    const database = await postgres.createDatabase('kapi_faults_two_more');
    const shared = { ...SHARED_SECRETS, REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'two-more:' };
    // A is the bank world's Kapı (its address is the issuer the banks know as redirect_uri's host).
    world = await startBankWorld(shared);
    a = world.t;
    // B: same deployment (issuer, secrets, database, Redis prefix, bank file and bank keys), another port.
    b = await startKapi({ env: { ...shared, KAPI_BANKS_FILE: path.join(world.dir, 'banks.json'), KAPI_ISSUER: a.issuer } });
    hostA = new URL(a.issuer).host;
    hostB = `127.0.0.1:${b.kapi.config.port}`;
    rpA = await relyingParty(a, await registerInstitution(a));
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await world?.close();
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  it('banking: the bank is chosen on A, its callback lands on B, B redeems the bank code and finishes; a tampered state is refused on B', async () => {
    const browser = new BalancedBrowser(hostA, hostB);
    const req = await authRequest(rpA);
    let chooser = await browser.go(req.url.href, {}, atCallback);
    if (chooser.html.includes('data-method="banking"')) chooser = await browser.submit(chooser, {}, { name: 'method', value: 'banking' }, atCallback);
    expect(bankLink(chooser, BANK_A)).toContain(hostA);
    const { authorizationUrl, page: bankPage } = await toBank(browser, chooser, BANK_A, world.bankA.issuer); // A builds the request
    const sent = new URL(authorizationUrl).searchParams;
    const atKapiCallback = (l: string) => l.includes('/banking/callback');
    const back = await atBank(browser, bankPage, AYSE_AT_BANK.login, AYSE_AT_BANK.password, { stopAt: atKapiCallback });
    const callback = new URL(back.url);
    expect(callback.pathname).toBe('/banking/callback');
    expect(callback.searchParams.get('state')).toBe(sent.get('state'));
    expect(callback.searchParams.get('code')).toBeTruthy();

    browser.target = 'b';
    // A state that is not the one A sent: B files nothing and refuses it (the real answer stays usable).
    const tampered = new URL(callback.href);
    tampered.searchParams.set('state', `${sent.get('state')!.slice(0, -2)}xx`);
    const refused = await browser.go(tampered.href, {}, atCallback);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Bankadan gelen bu yanıt geçersiz');

    // The real callback, on B: B takes A's record, checks state, nonce and PKCE verifier from the flow, redeems the code.
    const authorizationsBefore = world.bankA.authorizationRequests.length;
    let page = await browser.go(callback.href, {}, atCallback);
    page = await consent(browser, page);
    expect(atCallback(page.url)).toBe(true);
    expect(world.bankA.authorizationRequests.length).toBe(authorizationsBefore); // the person was not sent to the bank again
    // The institution got its code from B and redeems it on A.
    const claims = await personClaims(rpA, await exchange(rpA, req, page.url));
    expect(claims.national_id).toBe(ayse.nationalId);
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['fed', 'pwd', 'otp', 'mfa']);

    // The same callback again (a replay, on either process): the answer is used up.
    for (const target of ['a', 'b'] as const) {
      browser.target = target;
      const replayed = await browser.go(callback.href, {}, atCallback);
      expect(replayed.status).toBe(400);
      expect(replayed.html).toContain('Bankadan gelen bu yanıt geçersiz');
    }
  }, 60_000);

  it("SMS: the password and the code page on A, the code posted to B; the code is in A's outbox only", async () => {
    const emre = await citizen(a, '56789123416', 'Iki-Surec-Kodu-2026', '+905327770000');
    await setTwoFactor(a, emre.nationalId, true);
    const browser = new BalancedBrowser(hostA, hostB);
    const req = await authRequest(rpA);
    let page = await password(browser, req.url.href, emre.nationalId, emre.password);
    expect(page.html).toContain('name="code"');
    // The outbox is the SMS simulator of one process: the process that sent the code (A) holds it.
    expect(b.kapi.messaging.smsOutbox!.list(emre.phone)).toHaveLength(0);
    const code = smsCode(a, emre.phone);
    browser.target = 'b';
    page = await browser.submit(page, { code }, { name: 'action', value: 'verify' }, atCallback);
    page = await consent(browser, page);
    expect(atCallback(page.url)).toBe(true);
    const claims = (await exchange(rpA, req, page.url)).claims()!;
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toEqual(['pwd', 'sms', 'otp']);
  }, 60_000);

  it('SMS: wrong codes on A and B count against one limit (5 guesses); then a new login through B is locked too', async () => {
    const selin = await citizen(a, '45678912316', 'Iki-Surec-Kilit-2026', '+905326660000');
    await setTwoFactor(a, selin.nationalId, true);
    const browser = new BalancedBrowser(hostA, hostB);
    let page = await password(browser, (await authRequest(rpA)).url.href, selin.nationalId, selin.password);
    const right = smsCode(a, selin.phone);
    const wrong = right === '123456' ? '654321' : '123456';
    // Four wrong codes, alternating A, B, A, B: each process alone has seen only two.
    for (const target of ['a', 'b', 'a', 'b'] as const) {
      browser.target = target;
      page = await browser.submit(page, { code: wrong }, { name: 'action', value: 'verify' }, atCallback);
      expect(page.status).toBe(400);
    }
    // The fifth, on A (A's third): the shared limit is spent.
    browser.target = 'a';
    page = await browser.submit(page, { code: wrong }, { name: 'action', value: 'verify' }, atCallback);
    expect(page.status).toBe(429);
    expect(page.html).not.toContain('name="code"');
    // A new login through B with the right password: the step is locked there too.
    const other = new BalancedBrowser(hostA, hostB);
    other.target = 'b';
    const locked = await password(other, (await authRequest(rpA)).url.href, selin.nationalId, selin.password);
    expect(locked.status).toBe(429);
    expect(locked.html).not.toContain('name="code"');
  }, 60_000);

  describe('device approval', () => {
    let device: DeviceClient;

    beforeAll(async () => {
      // Ayşe signs in to the e-Devlet app (password + SMS, on A) and registers her phone as a device.
      await phoneFromRegistry(a, ayse.nationalId);
      await setTwoFactor(a, ayse.nationalId, true);
      device = await registerDevice(a, await appToken(a, { ...ayse, phone: '+905321112233' }), 'Ayşe’nin telefonu', 'push-two-processes');
    }, 120_000);

    it("opened on A, answered through B's device API, the waiting page on A continues", async () => {
      const browser = new BalancedBrowser(hostA, hostB);
      const req = await authRequest(rpA);
      const waiting = await password(browser, req.url.href, ayse.nationalId, ayse.password);
      const number = numberOn(waiting);
      expect(a.kapi.exportsOf(secondFactorModule).pushOutbox!.latest('push-two-processes')?.data.type).toBe('approval');

      // The phone talks to the public address (the issuer, so its proofs name it); the balancer sends it to B.
      const realFetch = globalThis.fetch;
      let toB = 0;
      globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
        if (url.host === hostA && url.pathname.startsWith('/device/v1/')) {
          url.host = hostB;
          toB++;
          return realFetch(url, init);
        }
        return realFetch(input, init);
      }) as typeof fetch;
      try {
        const approval = await approvalFor(device, waiting); // B lists the approval A opened
        expect(await device.answer(approval, 'approve', number)).toBe('approved'); // B records the answer
      } finally {
        globalThis.fetch = realFetch;
      }
      expect(toB).toBe(2);

      // A's waiting page sees the answer B recorded.
      const poll = await browser.request(`${interactionOf(waiting)}/poll`);
      expect(await poll.json()).toEqual({ status: 'ready' });
      const page = await consent(browser, await continueWaiting(browser, waiting));
      expect(atCallback(page.url)).toBe(true);
      const claims = (await exchange(rpA, req, page.url)).claims()!;
      expect(claims.acr).toBe('substantial');
      expect(claims.amr).toEqual(['pwd', 'mca', 'swk']);
    }, 60_000);
  });
});
