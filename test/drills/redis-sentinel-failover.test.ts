import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { redisDrillSkipReason, redisSentinels, type DrillSentinels } from '../support/redis-drill-servers.js';
import {
  describeError,
  failureWindow,
  serviceGap,
  keepRunning,
  redeemAgain,
  redeemAllAgain,
  signInAndRedeem,
  signInPage,
  tally,
  wrongPassword,
  type Outcome,
} from './drill-support.js';
import { waitFor } from '../support/wait.js';

// Kapı on a Sentinel-managed primary with one replica (three sentinels, quorum 2), writes that must
// survive a failover waiting for the replica (KAPI_REDIS_WAIT_REPLICAS=1). While sign-ins run, the
// primary is killed (SIGKILL); the sentinels promote the replica; the killed server comes back as a
// replica of the new primary, as its supervisor would bring it back. Kapı carries on after a short
// window of 503s (at most 15 s, no 500), no code is redeemed twice, the session made before the kill
// still signs its browser in, and the guess counter of a number keeps its failures.

const [ayse, , fatma] = [DEMO_CITIZENS[0]!, DEMO_CITIZENS[1]!, DEMO_CITIZENS[2]!];
const passwords = { redis: 'drill-redis-password-0123456789', sentinel: 'drill-sentinel-password-0123456789' };
const skip = redisDrillSkipReason();
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);
if (skip) console.warn(`skipping the Redis Sentinel drill: ${skip}`);

(skip ? describe.skip : describe)('drill: Redis Sentinel failover during sign-ins', () => {
  let redis: DrillSentinels;
  let t: TestKapi;
  let rp: client.Configuration;
  const started = Date.now();

  beforeAll(async () => {
    redis = await redisSentinels(passwords);
    t = await startKapi({
      env: {
        KAPI_REDIS_SENTINELS: redis.addresses,
        KAPI_REDIS_SENTINEL_MASTER: 'kapi-drill',
        KAPI_REDIS_SENTINEL_PASSWORD: passwords.sentinel,
        KAPI_REDIS_PASSWORD: passwords.redis,
        KAPI_REDIS_PREFIX: 'drill:',
        KAPI_REDIS_WAIT_REPLICAS: '1',
        KAPI_REDIS_WAIT_MS: '500',
        KAPI_GUESS_LOCK_AFTER: '4',
        KAPI_GUESS_DELAY_AFTER: '6',
        KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent',
      },
    });
    rp = await relyingParty(t, await registerInstitution(t, { scopes: ['openid', 'profile'] }));
  }, 60_000);
  afterAll(async () => {
    await t?.stop().catch(() => {});
    await redis?.stop();
    console.log(`Redis Sentinel failover drill: ${((Date.now() - started) / 1000).toFixed(1)} s of wall time`);
  }, 30_000);

  it('carries on after a short window of 503s; no code redeemed twice; sessions and guess counts survive', async () => {
    // Before: a signed-in browser, a code issued but not yet redeemed, three wrong guesses on a number.
    const browser = new Browser();
    const first = await authRequest(rp, { scope: 'openid' });
    const firstPage = await signInPage(browser, first, ayse);
    if (typeof firstPage === 'string') throw new Error(firstPage);
    const pending = await authRequest(rp, { scope: 'openid' });
    const pendingPage = await signInPage(browser, pending, ayse);
    if (typeof pendingPage === 'string') throw new Error(pendingPage);
    await exchange(rp, first, firstPage.url);
    expect([await wrongPassword(rp, fatma.nationalId), await wrongPassword(rp, fatma.nationalId), await wrongPassword(rp, fatma.nationalId)]).toEqual([
      401, 401, 401,
    ]);

    const outcomes: Outcome[] = [];
    const redeemed: string[] = [];
    let running = true;
    const workers = keepRunning(
      2,
      () => running,
      () => signInAndRedeem(rp, ayse, redeemed),
      outcomes,
    );
    await new Promise((r) => setTimeout(r, 1500));

    const oldPort = await redis.primaryPort();
    expect(oldPort).toBe(redis.primary.port);
    const killedAt = Date.now();
    await redis.primary.kill();
    await waitFor(async () => (await redis.primaryPort()) === redis.replica.port, 15_000, 'the sentinels promoting the replica');
    const promotedAfter = Date.now() - killedAt;
    // The crashed server returns (as systemd would restart it) as a replica of the new primary.
    await redis.primary.start(['--replicaof', '127.0.0.1', String(redis.replica.port)]);
    // The next steps need a replica that can confirm writes: every sentinel naming the promoted primary,
    // no failover under way, and the returned server linked to it and caught up.
    await redis.settled(redis.replica.port, redis.primary.port);

    // Sign-ins succeed again, then run a little longer.
    await waitFor(async () => outcomes.filter((o) => o.at > Date.now() - 1000).some((o) => o.result === 'ok'), 20_000, 'sign-ins succeeding again');
    await new Promise((r) => setTimeout(r, 1500));
    running = false;
    await workers;
    // One failover, not two: a second one (sentinels judging the healthy new primary down) would leave
    // Kapı on a primary without a replica, and every later step would rightly answer 503.
    expect(await redis.primaryPorts()).toEqual(redis.sentinels.map(() => redis.replica.port));

    const failed = outcomes.filter((o) => o.result !== 'ok');
    console.log(
      `Sentinel failover: promoted after ${promotedAfter} ms; ${outcomes.length} sign-ins, ${tally(outcomes).ok ?? 0} ok, failure window ${failureWindow(outcomes)} ms, no sign-in completed for ${serviceGap(outcomes, killedAt)} ms: ${JSON.stringify(tally(failed))}`,
    );
    expect(outcomes.filter((o) => o.at < killedAt && o.result === 'ok').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.at > killedAt && o.result === 'ok').length).toBeGreaterThan(0);
    expect(failureWindow(outcomes)).toBeLessThanOrEqual(15_000);
    expect(serviceGap(outcomes, killedAt)).toBeLessThanOrEqual(15_000);
    // Failures are "temporarily unavailable" (or a clean start-again page for an interaction the
    // failover lost), never a 500, never a code accepted twice.
    expect(failed.filter((o) => !/\b(503|400)\b/.test(o.result))).toEqual([]);
    expect(failed.filter((o) => o.result === 'REDEEMED TWICE')).toEqual([]);
    // The code issued before the kill is still redeemable, once (before any replay below: a replayed
    // code revokes its grant, which this code shares).
    await exchange(rp, pending, pendingPage.url);
    expect(await redeemAgain(rp, pendingPage.url, pending)).toBe('ok');
    // Every code redeemed before, during and after the failover is refused once more, on the new primary.
    expect(await redeemAllAgain(rp, redeemed)).toEqual([]);
    expect(await redeemAgain(rp, firstPage.url, first)).toBe('ok');
    // The session made before the kill still signs its browser in, without the form.
    const again = await authRequest(rp, { scope: 'openid' });
    expect(atCallback((await browser.go(again.url.href, {}, atCallback)).url)).toBe(true);
    // The number's failures were kept: one more wrong guess locks it (4), even for the right password.
    expect(await wrongPassword(rp, fatma.nationalId)).toBe(401);
    expect(await wrongPassword(rp, fatma.nationalId, fatma.password)).toBe(429);
  }, 60_000);

  it('without a replica to confirm them, single uses are refused (503) and nothing is issued', async () => {
    // The starting point: the promoted primary with the returned server as its replica, caught up.
    await redis.settled(redis.replica.port, redis.primary.port);
    const req = await authRequest(rp, { scope: 'openid' });
    const page = await signInPage(new Browser(), req, ayse);
    if (typeof page === 'string') throw new Error(page);
    await redis.primary.kill(); // now the replica of the promoted primary: no replica is left
    try {
      const refused = await exchange(rp, req, page.url).then(
        () => 'issued',
        (err: unknown) => describeError(err),
      );
      expect(refused).toMatch(/^oauth 503/);
      const answer = await wrongPassword(rp, ayse.nationalId);
      expect(answer).toBe(503);
    } finally {
      await redis.primary.start(['--replicaof', '127.0.0.1', String(redis.replica.port)]);
    }
  }, 30_000);
});
