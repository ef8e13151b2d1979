import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { faultsSkipReason, privatePostgres, privateRedis, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { authRequest, exchange, registerInstitution, relyingParty, signIn, atCallback } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// The token endpoint during a Redis outage: oidc-provider would answer 500 server_error; Kapı answers
// 503 temporarily_unavailable with Retry-After (src/oidc/outage-json.ts), and recovers when Redis is back.

const ayse = DEMO_CITIZENS[0];
const skip = faultsSkipReason();
if (skip) console.warn(`skipping fault tests: ${skip}`);
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);

(skip ? describe.skip : describe)('faults: token endpoint while Redis is down', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let t: TestKapi;
  let metadata: Record<string, unknown>;
  let tokenEndpoint: string;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    const database = await postgres.createDatabase('kapi_faults_token');
    t = await startKapi({
      env: { REDIS_URL: redis.url, DATABASE_URL: database, KAPI_REDIS_PREFIX: 'faults:', KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent' },
    });
    metadata = await registerInstitution(t);
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    tokenEndpoint = discovery.token_endpoint;
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  function postToken(code: string) {
    const basic = Buffer.from(`${encodeURIComponent(metadata.client_id as string)}:${encodeURIComponent(metadata.client_secret as string)}`).toString('base64');
    return fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://institution.example/cb' }),
    });
  }

  it('POST /token answers 503 temporarily_unavailable with Retry-After, then recovers', async () => {
    // Up: an unknown code is an ordinary 400 invalid_grant (the outage rewrite does not touch it).
    const normal = await postToken('not-a-real-code');
    expect(normal.status).toBe(400);
    expect(((await normal.json()) as { error: string }).error).toBe('invalid_grant');

    await redis.stop();
    const started = Date.now();
    const down = await postToken('not-a-real-code');
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await down.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(Date.now() - started).toBeLessThan(10_000);

    await redis.start();
    const end = Date.now() + 10_000;
    while ((await fetch(`${t.issuer}/readyz`)).status !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const after = await postToken('not-a-real-code');
    expect(after.status).toBe(400);
    // A whole login with a token exchange works again without restarting Kapı.
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp);
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    expect(atCallback(page.url)).toBe(true);
    expect((await exchange(rp, req, page.url)).claims()!.acr).toBe('low');
  }, 60_000);

  // A refresh with rotation consumes the presented token and saves its successor in Postgres, then saves
  // the access token in Redis. When Redis fails at that last step the institution gets a 503 and never
  // sees the successor: the token it holds must still work when it retries, or one storage hiccup would
  // turn into "refresh token already used" and the revocation of the person's whole grant.
  it('a refresh answered 503 after the rotation began leaves the presented refresh token usable', async () => {
    const rp = await relyingParty(t, metadata);
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
    const tokens = await exchange(rp, req, page.url);
    const held = tokens.refresh_token!;
    expect(held).toBeTruthy();

    // Writes stop (reads still answer), longer than Kapı's Redis command timeout: the access token's save fails.
    const admin = new Redis({ port: redis.port, host: '127.0.0.1' });
    try {
      await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE');
      const basic = Buffer.from(`${encodeURIComponent(metadata.client_id as string)}:${encodeURIComponent(metadata.client_secret as string)}`).toString(
        'base64',
      );
      const failed = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: held }),
      });
      expect(failed.status).toBe(503);
      await admin.call('CLIENT', 'UNPAUSE');
    } finally {
      admin.disconnect();
    }

    // The retry with the same token succeeds, and the chain goes on from its successor.
    const retried = await client.refreshTokenGrant(rp, held);
    expect(retried.access_token).toBeTruthy();
    expect(retried.refresh_token).toBeTruthy();
    const next = await client.refreshTokenGrant(rp, retried.refresh_token!);
    expect(next.access_token).toBeTruthy();
    // Single use still holds for the token that was really rotated.
    await expect(client.refreshTokenGrant(rp, held)).rejects.toMatchObject({ error: 'invalid_grant' });
  }, 60_000);
});
