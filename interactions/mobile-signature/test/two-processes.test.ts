import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { interactionUrl, startMobileSignature, startTestbed, verificationCodeOn, type Testbed } from './support.js';

// One Kapı process starts the mobile-signature transaction, another polls it, verifies the signature
// and finishes the login: nothing of a pending transaction lives in a process. Needs the shared state
// of a real deployment (REDIS_URL and DATABASE_URL); the embedded default keeps state per process.

jest.setTimeout(60_000);
const shared = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
if (!shared) process.stderr.write('skipping the two-process mobile-signature test: it needs REDIS_URL and DATABASE_URL (state shared between processes)\n');
const describeShared = shared ? describe : describe.skip;

describeShared('mobile signature across two Kapı processes', () => {
  let bed: Testbed;
  let a: TestKapi;
  let b: TestKapi;
  beforeAll(async () => {
    bed = await startTestbed();
    a = await startKapi({ env: bed.env });
    // Same database, same Redis prefix, same issuer: a second process behind the same load balancer.
    b = await startKapi({ env: { ...bed.env, DATABASE_URL: a.kapi.config.databaseUrl!, KAPI_REDIS_PREFIX: a.kapi.config.redisPrefix, KAPI_ISSUER: a.issuer } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await bed?.close();
  });

  it('starts on A, is polled and finished on B', async () => {
    const rp = await relyingParty(a, await registerInstitution(a));
    const browser = new Browser();
    const req = await authRequest(rp, { acr_values: 'high' });
    const waiting = await startMobileSignature(browser, req.url.href, { nationalId: '10000000146', phone: '5300000001', operator: 'turkcell' }, atCallback);
    verificationCodeOn(waiting);
    const hostA = new URL(a.kapi.config.port ? `http://127.0.0.1:${a.kapi.config.port}` : a.issuer).host;
    const hostB = `127.0.0.1:${b.kapi.config.port}`;
    browser.cookies.set(hostB, new Map(browser.cookies.get(hostA)));
    const onB = interactionUrl(waiting).replace(hostA, hostB);
    const statusQueriesBefore = bed.simulator.requests.filter((r) => r.operation === 'MSS_StatusReq').length;
    let status = 'pending';
    for (let i = 0; i < 40 && status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = ((await (await browser.request(`${onB}/poll`)).json()) as { status: string }).status;
    }
    expect(status).toBe('ready');
    expect(bed.simulator.requests.filter((r) => r.operation === 'MSS_StatusReq').length).toBeGreaterThan(statusQueriesBefore);
    let page = await browser.go(onB, {}, atCallback);
    if (!atCallback(page.url)) page = await browser.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    const claims = (await exchange(rp, req, page.url)).claims()!;
    expect(claims.acr).toBe('high');
    expect(claims.amr).toEqual(['hwk', 'mca', 'pin']);
  });
});
