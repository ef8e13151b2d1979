import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { announceKeyChange } from '../../src/app.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { faultsSkipReason, privatePostgres, privateRedis, SHARED_SECRETS, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { loginPage } from '../support/conformance-op.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import { codeOn, signerPost, softwareCard, startSmartCard, startTestPki, type TestPki } from '../support/smart-card.js';

// Two Kapı instances of one deployment (same issuer, secrets, Postgres and Redis, as behind a load
// balancer): a login started on one finishes on the other, for every method; a key rotation on one is
// seen by the other; the same code or refresh token redeemed concurrently on both is accepted once.

const ayse = DEMO_CITIZENS[0];
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

(skip ? describe.skip : describe)('faults: two Kapı processes on one Postgres and Redis', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let pki: TestPki;
  let a: TestKapi;
  let b: TestKapi;
  let rpA: client.Configuration;
  let rpB: client.Configuration;
  let metadata: Record<string, unknown>;

  beforeAll(async () => {
    [redis, postgres, pki] = await Promise.all([privateRedis(), privatePostgres(), startTestPki()]);
    const database = await postgres.createDatabase('kapi_faults_two');
    const portA = await freePort();
    const issuer = `http://127.0.0.1:${portA}`;
    const env = { ...pki.env, ...SHARED_SECRETS, REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'two:', KAPI_ISSUER: issuer };
    // startKapi reports the address it picked; A listens on the shared issuer's port instead.
    a = { ...(await startKapi({ env: { ...env, PORT: String(portA) } })), issuer };
    b = { ...(await startKapi({ env: { ...env, PORT: String(await freePort()) } })), issuer };
    metadata = await registerInstitution(a, { scopes: ['openid', 'profile', 'national_id', 'offline_access'] });
    rpA = await relyingParty(a, metadata);
    // The same institution talking to instance B (same issuer, B's address).
    // B's discovery document names the shared issuer and B's own endpoints (built from the request).
    const docB = (await (await fetch(`http://127.0.0.1:${b.kapi.config.port}/.well-known/openid-configuration`)).json()) as client.ServerMetadata;
    expect(docB.issuer).toBe(issuer);
    expect(docB.token_endpoint).toContain(`:${b.kapi.config.port}/`);
    rpB = new client.Configuration(
      docB,
      String(metadata.client_id),
      { id_token_signed_response_alg: 'RS256' },
      client.ClientSecretBasic(String(metadata.client_secret)),
    );
    client.allowInsecureRequests(rpB);
  }, 90_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await pki?.close();
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  const hosts = () => [new URL(a.issuer).host, `127.0.0.1:${b.kapi.config.port}`] as const;

  it('password: the form is served by A, submitted to B, consent on A, code redeemed at B', async () => {
    const [hostA, hostB] = hosts();
    const browser = new BalancedBrowser(hostA, hostB);
    const req = await authRequest(rpA, { prompt: 'consent' });
    let page = await browser.go(req.url.href, {}, atCallback);
    expect(page.html).toContain('name="national_id"'); // the chooser, on A, with the password form first
    browser.target = 'b';
    page = await browser.submit(page, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atCallback);
    expect(page.html).toContain('name="decision"');
    browser.target = 'a';
    page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const tokens = await exchange(rpB, req, page.url);
    expect(tokens.claims()!.acr).toBe('low');
    // The session made through A and B is known to both: prompt=none on B answers with a code.
    browser.target = 'b';
    const silent = await authRequest(rpA, { prompt: 'none' });
    expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('code')).toBeTruthy();
  });

  it('smart card: started on A, the signer posts to B, the browser polls and finishes on A', async () => {
    const [hostA, hostB] = hosts();
    const card = await softwareCard(pki.ca, { nationalId: ayse.nationalId, givenName: 'Ayşe', familyName: 'Yılmaz', profile: 'e-signature' });
    const browser = new BalancedBrowser(hostA, hostB);
    const req = await authRequest(rpA, { acr_values: 'high' });
    const waiting = await startSmartCard(browser, req.url.href, 'e-signature', ayse.nationalId, atCallback);
    expect((await signerPost(`http://${hostB}`, codeOn(waiting).replace('-', ''), card)).status).toBe(200);
    browser.target = 'b';
    const poll = await browser.request(waiting.url.replace(/\/method\/.*$/, '/poll'));
    expect(await poll.json()).toEqual({ status: 'ready' });
    browser.target = 'a';
    let page = await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback);
    if (!atCallback(page.url) && page.html.includes('name="decision"')) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect((await exchange(rpA, req, page.url)).claims()!.acr).toBe('high');
  });

  it('the same code redeemed on A and B at once: exactly one wins, and the replay revokes its tokens', async () => {
    const req = await authRequest(rpA);
    const page = await loginPage(new Browser(), req.url.href, ayse);
    const results = await Promise.allSettled([
      exchange(rpA, req, page.url),
      exchange(rpB, req, page.url),
      exchange(rpA, req, page.url),
      exchange(rpB, req, page.url),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof exchange>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(rpB, won[0]!.value.access_token)).active).toBe(false);
  });

  it('a rotated refresh token redeemed on A and B at once: one wins; reuse after rotation revokes the whole family', async () => {
    const req = await authRequest(rpA, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(rpA, req, (await loginPage(new Browser(), req.url.href, ayse)).url);
    const results = await Promise.allSettled([
      client.refreshTokenGrant(rpA, tokens.refresh_token!),
      client.refreshTokenGrant(rpB, tokens.refresh_token!),
      client.refreshTokenGrant(rpA, tokens.refresh_token!),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof client.refreshTokenGrant>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const newest = won[0]!.value;
    // The old token is used again (a thief, or the losing racer): the family is revoked, newest included.
    await expect(client.refreshTokenGrant(rpB, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(rpA, newest.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(rpA, newest.access_token)).active).toBe(false);
  });

  it('a key rotation on A is seen by B (published keys and the signing key)', async () => {
    const before = ((await (await fetch(`http://${hosts()[1]}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    await a.kapi.services.keys.rotate(new Date(), { force: true });
    await announceKeyChange(a.kapi.services);
    const end = Date.now() + 10_000;
    let after = before;
    while (Date.now() < end) {
      after = ((await (await fetch(`http://${hosts()[1]}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      if (after.some((k) => !before.includes(k))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.some((k) => !before.includes(k))).toBe(true);
    const fromA = ((await (await fetch(`${a.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
    expect([...after].sort()).toEqual(fromA);
    // An ID token signed by B after the rotation verifies with the keys A publishes.
    const req = await authRequest(rpB);
    const [hostA, hostB] = hosts();
    const browser = new BalancedBrowser(hostA, hostB);
    browser.target = 'b';
    const page = await loginPage(browser, req.url.href, ayse);
    const tokens = await exchange(rpA, req, page.url);
    const kid = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(fromA).toContain(kid);
  });
});
