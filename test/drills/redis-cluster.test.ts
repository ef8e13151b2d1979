import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { Cluster } from 'ioredis';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { redisCluster, redisDrillSkipReason, withRedis, type DrillCluster } from '../support/redis-drill-servers.js';
import { signInAndRedeem, signInPage, wrongPassword } from './drill-support.js';
import { keySlot } from '../../adapters/storage/replica-wait.js';

// Kapı on a real Redis Cluster (three masters made with `redis-cli --cluster create`), configured by
// KAPI_REDIS_CLUSTER_NODES alone: sign-ins, code redemption (single use), refresh and userinfo, the
// guess limiter, and sign-out. Every command and script of Kapı names keys of one slot: a script
// spanning slots would fail here with CROSSSLOT, and a key without its hash tag would land elsewhere.

const [ayse, mehmet] = [DEMO_CITIZENS[0]!, DEMO_CITIZENS[1]!];
const skip = redisDrillSkipReason();
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);
if (skip) console.warn(`skipping the Redis Cluster drill: ${skip}`);

(skip ? describe.skip : describe)('drill: Kapı on a three-master Redis Cluster', () => {
  let cluster: DrillCluster;
  let t: TestKapi;
  let rp: client.Configuration;
  const started = Date.now();

  beforeAll(async () => {
    cluster = await redisCluster();
    t = await startKapi({
      env: { KAPI_REDIS_CLUSTER_NODES: cluster.seeds, KAPI_REDIS_PREFIX: 'drill:', KAPI_GUESS_LOCK_AFTER: '3', KAPI_GUESS_DELAY_AFTER: '5' },
    });
    rp = await relyingParty(t, await registerInstitution(t, { scopes: ['openid', 'profile', 'offline_access'] }));
  }, 60_000);
  afterAll(async () => {
    await t?.stop().catch(() => {});
    await cluster?.stop();
    console.log(`Redis Cluster drill: ${((Date.now() - started) / 1000).toFixed(1)} s of wall time`);
  }, 30_000);

  it('uses a Cluster client, and sign-ins redeem each code exactly once', async () => {
    expect(t.kapi.services.redis).toBeInstanceOf(Cluster);
    const redeemed: string[] = [];
    const outcomes: string[] = [];
    // One after the other: attempts at once on one number take its guess points before the check (lock after 3).
    for (let i = 0; i < 4; i++) outcomes.push(await signInAndRedeem(rp, ayse, redeemed));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
  }, 30_000);

  it('grants tokens by refresh and serves userinfo; the session carries the browser to a second sign-in', async () => {
    const browser = new Browser();
    const req = await authRequest(rp, { scope: 'openid profile offline_access', prompt: 'consent' });
    const page = await signInPage(browser, req, ayse);
    if (typeof page === 'string') throw new Error(page);
    const tokens = await exchange(rp, req, page.url);
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    const info = await client.fetchUserInfo(rp, refreshed.access_token, tokens.claims()!.sub);
    expect(info.sub).toBe(tokens.claims()!.sub);
    // The session carries the browser through a second sign-in without the form.
    const again = await authRequest(rp, { scope: 'openid' });
    expect(atCallback((await browser.go(again.url.href, {}, atCallback)).url)).toBe(true);
  }, 30_000);

  it('the guess limiter counts on the cluster: the number locks after 3 failures, even for the right password', async () => {
    expect([await wrongPassword(rp, mehmet.nationalId), await wrongPassword(rp, mehmet.nationalId), await wrongPassword(rp, mehmet.nationalId)]).toEqual([
      401, 401, 401,
    ]);
    expect(await wrongPassword(rp, mehmet.nationalId, mehmet.password)).toBe(429);
  }, 30_000);

  it("Kapı's keys are spread over all three masters, and each lives in the slot its hash tag names", async () => {
    const perNode = await Promise.all(
      cluster.nodes.map((node) =>
        withRedis(node.port, undefined, async (r) => {
          const keys = (await r.keys('drill:*')) as string[];
          // CLUSTER KEYSLOT is the server's own answer; keySlot (used for WAIT on a cluster) must agree.
          for (const key of keys.slice(0, 20)) expect(keySlot(key)).toBe(Number(await r.call('CLUSTER', 'KEYSLOT', key)));
          return keys;
        }),
      ),
    );
    expect(perNode.every((keys) => keys.length > 0)).toBe(true);
    const oidc = perNode.flat().filter((k) => k.startsWith('drill:oidc:'));
    expect(oidc.length).toBeGreaterThan(0);
    for (const key of oidc) expect(key).toMatch(/\{[^}]+\}$/);
  }, 30_000);
});
