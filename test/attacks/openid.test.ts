import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { createKapi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { startBlackHole, type BlackHole } from '../support/black-hole.js';
import { loginAndExchange } from '../support/conformance-op.js';
import { startCrossOriginInstitution, type CrossOriginInstitution } from '../support/cross-origin-institution.js';
import { SHARED_SECRETS } from '../support/faults-services.js';
import { registerInstitution, relyingParty } from '../support/institution.js';
import { spawnKapi, type KapiProcess } from '../support/kapi-process.js';
import { freePort, startKapi, type TestKapi } from '../support/kapi.js';
import {
  BYE,
  expectLogoutTokenClaims,
  latestSid,
  localEndpoint,
  rpLogout,
  signInThere,
  signOutThere,
  verifiedLogoutToken,
  type LocalEndpoint,
} from './openid-support.js';
import { seededDataDir } from '../support/seeded-data-dir.js';
import { waitFor } from '../support/wait.js';

// Back-channel logout to an institution on a loopback or private address (issue 26 point 3): inside a
// government network an institution's endpoint commonly sits on 10.x, 192.168.x or the same host.
// oidc-provider's SSRF guard dropped every such delivery; Kapı now sends logout deliveries, and only
// them, without it (src/oidc/outgoing-requests.ts). Each attempt below names what it defends. The
// in-process Kapıs run with oidc-provider's guard armed as in a real process
// (test/support/ssrf-guard-setup.ts); the last suite runs Kapı as a process of its own.

const ayse = DEMO_CITIZENS[0]!;
const gulsen = DEMO_CITIZENS[2]!; // 34567891238: a password of her own (DEMO_CITIZENS[1] must change an office password first)

describe('attacks: back-channel logout to an institution on 127.0.0.1', () => {
  let t: TestKapi;

  beforeAll(async () => {
    t = await startKapi();
    // The tests below run the outbox themselves, at the moments they choose.
    t.kapi.outbox.stop();
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('an institution that answers', () => {
    let institution: CrossOriginInstitution;
    beforeAll(async () => {
      institution = await startCrossOriginInstitution(t, {}, { backchannelLogout: true });
    });
    afterAll(async () => {
      await institution?.close();
    });

    it('RP-initiated logout delivers the logout token at once to an institution on 127.0.0.1, with events, sid, iss, aud, iat, jti and no nonce (a private address is no reason to skip it)', async () => {
      const { browser, page } = await signInThere(institution, ayse);
      const sid = latestSid(institution);
      const sub = [...institution.arrivals.values()].at(-1)!.idToken!.sub;
      const out = await signOutThere(browser, page);
      expect(out.html).toContain('id="logged-out"');
      // oidc-provider waits for the delivery before it answers the logout: it has arrived, not been queued.
      expect(institution.backchannelLogouts).toHaveLength(1);
      const delivery = institution.backchannelLogouts[0]!;
      expect(delivery.refused).toBeUndefined();
      expect(delivery.status).toBe(200);
      expect(delivery.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect(delivery.fields).toEqual(['logout_token']);
      expect(delivery.header?.typ).toBe('logout+jwt');
      expectLogoutTokenClaims(delivery.claims!, { issuer: t.issuer, clientId: institution.clientId, sid, sub });
      expect(await t.kapi.services.db('logout_outbox').where({ client_id: institution.clientId })).toEqual([]);
    });
  });

  describe('an institution that fails twice', () => {
    let institution: CrossOriginInstitution;
    beforeAll(async () => {
      institution = await startCrossOriginInstitution(t, {}, { backchannelLogout: { answers: [500, 500] } });
    });
    afterAll(async () => {
      await institution?.close();
    });

    it("an institution on 127.0.0.1 that answers 500 twice, then 200, gets the logout on the outbox's retry, and the delivery is recorded as delivered (retried until answered)", async () => {
      const { browser, page } = await signInThere(institution, gulsen);
      const sid = latestSid(institution);
      await signOutThere(browser, page);
      expect(institution.backchannelLogouts.map((d) => d.status)).toEqual([500]);
      const queued = () => t.kapi.services.db('logout_outbox').where({ client_id: institution.clientId }).first();
      await waitFor(async () => (await queued()) !== undefined, 10_000, 'the failed delivery queued');
      // The worker's later runs (the back-off is 10 s, then 40 s): "now" is put past each due time.
      const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
      expect(await t.kapi.outbox.runOnce(later(1))).toBe(0);
      let row = await queued();
      expect(row).toMatchObject({ attempts: 2, delivered_at: null, abandoned_at: null });
      expect(row.last_error).toMatch(/500/);
      expect(await t.kapi.outbox.runOnce(later(5))).toBe(1);
      row = await queued();
      expect(row.delivered_at).not.toBeNull();
      expect(row.abandoned_at).toBeNull();
      expect(row.attempts).toBe(3);
      expect(institution.backchannelLogouts.map((d) => d.status)).toEqual([500, 500, 200]);
      expectLogoutTokenClaims(institution.backchannelLogouts[2]!.claims!, { issuer: t.issuer, clientId: institution.clientId, sid });
      // Delivered rows are never sent again.
      expect(await t.kapi.outbox.runOnce(later(120))).toBe(0);
      expect(institution.backchannelLogouts).toHaveLength(3);
    });
  });

  describe('the trade-off: registered URIs only, no redirects, a short timeout', () => {
    let redirecting: LocalEndpoint;
    let elsewhere: LocalEndpoint;
    let hole: BlackHole;
    let keys: LocalEndpoint;

    beforeAll(async () => {
      elsewhere = await localEndpoint();
      redirecting = await localEndpoint((_n, res) => res.writeHead(307, { location: elsewhere.url }).end());
      hole = await startBlackHole();
    });
    afterAll(async () => {
      await redirecting?.close();
      await elsewhere?.close();
      await hole?.close();
      await keys?.close();
    });

    it('a logout endpoint on 127.0.0.1 that redirects to another local address is not followed: the target receives nothing, the delivery is queued as failed (no redirects followed)', async () => {
      const metadata = await registerInstitution(t, { backchannelLogoutUri: redirecting.url, postLogoutRedirectUris: [BYE] });
      const rp = await relyingParty(t, metadata);
      const session = await loginAndExchange(rp, ayse);
      await rpLogout(t.issuer, rp, session);
      expect(redirecting.received).toHaveLength(1);
      expect(redirecting.received[0]!.has('logout_token')).toBe(true);
      const queued = () =>
        t.kapi.services
          .db('logout_outbox')
          .where({ client_id: metadata.client_id as string })
          .first();
      await waitFor(async () => (await queued()) !== undefined, 10_000, 'the redirected delivery queued');
      expect((await queued()).last_error).toMatch(/307/);
      // The outbox's retry is not followed either.
      await t.kapi.outbox.runOnce(new Date(Date.now() + 60_000));
      expect(redirecting.received).toHaveLength(2);
      expect(elsewhere.received).toHaveLength(0);
    });

    it('a logout endpoint on 127.0.0.1 that never answers holds the logout at most 2.5 s, and the delivery is queued for retry (a short timeout)', async () => {
      const metadata = await registerInstitution(t, { backchannelLogoutUri: `${hole.url}/logout`, postLogoutRedirectUris: [BYE] });
      const rp = await relyingParty(t, metadata);
      const session = await loginAndExchange(rp, gulsen);
      const started = Date.now();
      const page = await rpLogout(t.issuer, rp, session);
      const took = Date.now() - started;
      expect(page.url.startsWith(BYE)).toBe(true);
      expect(hole.received).toEqual(['POST /logout']);
      expect(took).toBeGreaterThanOrEqual(2400);
      expect(took).toBeLessThan(10_000); // 2.5 s plus the logout's own work on a loaded machine
      const queued = () =>
        t.kapi.services
          .db('logout_outbox')
          .where({ client_id: metadata.client_id as string })
          .first();
      await waitFor(async () => (await queued()) !== undefined, 10_000, 'the timed-out delivery queued');
      expect((await queued()).last_error).toMatch(/abort|timeout|timed out/i);
      await hole.waitUntilIdle(5_000);
    });

    it("an institution's jwks_uri on 127.0.0.1 is still refused: only logout deliveries pass oidc-provider's SSRF guard", async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      // The institution's keys on 127.0.0.1, counting what reaches them.
      keys = await localEndpoint((_n, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })), '/jwks');
      const metadata = await registerInstitution(t, { authMethod: 'private_key_jwt', jwksUri: keys.url });
      const rp = await relyingParty(t, metadata, client.PrivateKeyJwt({ key: privateKey, kid: 'k1' }));
      const refused = await client.tokenRevocation(rp, 'not-a-token').then(
        () => undefined,
        (err: unknown) => err as { error?: string },
      );
      expect(refused?.error).toBe('invalid_client');
      expect(keys.received).toHaveLength(0);
    });
  });
});

describe('attacks: Kapı as its own process delivers back-channel logout to 127.0.0.1', () => {
  // No jest sandbox and no test support between oidc-provider and its SSRF guard: Kapı started as
  // `npm start` starts it. The institution is registered first through the same data directory.
  let dataDir: string;
  let kapi: KapiProcess;
  let issuer: string;
  let endpoint: LocalEndpoint;
  let metadata: Record<string, unknown>;

  beforeAll(async () => {
    endpoint = await localEndpoint();
    dataDir = await seededDataDir('kapi-openid-');
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const env = {
      ...SHARED_SECRETS,
      NODE_ENV: 'test',
      PORT: String(port),
      KAPI_ISSUER: issuer,
      DATA_DIR: dataDir,
      KAPI_DEMO: 'true',
      KAPI_DEMO_BANK: 'false',
      KAPI_MOBILE_SIMULATOR: 'false',
      KAPI_LOG_LEVEL: 'warn',
    };
    const setup = await createKapi(loadConfig(env));
    metadata = await setup.services.clients.add({
      name: 'Ağ İçi Kurum',
      redirectUris: ['https://institution.example/cb'],
      postLogoutRedirectUris: [BYE],
      backchannelLogoutUri: endpoint.url,
      authMethod: 'client_secret_basic',
      scopes: ['openid', 'profile'],
    });
    await setup.close();
    kapi = spawnKapi(env);
    // Starting a process under tsx takes seconds on a loaded machine; generous.
    await waitFor(async () => (await fetch(`${issuer}/healthz`).catch(() => undefined))?.status === 200, 90_000, `Kapı listening:\n${kapi.output()}`);
  }, 150_000);
  afterAll(async () => {
    await kapi?.stop();
    await endpoint?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('RP-initiated logout in a Kapı process of its own reaches an institution on 127.0.0.1 at once, with events, sid, iss, aud, iat, jti and no nonce', async () => {
    const rp = await relyingParty({ issuer } as TestKapi, metadata);
    const session = await loginAndExchange(rp, ayse, { scope: 'openid profile' });
    const page = await rpLogout(issuer, rp, session, 'bye-process');
    expect(new URL(page.url).searchParams.get('state')).toBe('bye-process');
    expect(endpoint.received).toHaveLength(1);
    expect([...endpoint.received[0]!.keys()]).toEqual(['logout_token']);
    const claims = await verifiedLogoutToken(issuer, metadata.client_id as string, endpoint.received[0]!.get('logout_token')!);
    expectLogoutTokenClaims(claims, { issuer, clientId: metadata.client_id as string, sid: session.tokens.claims()!.sid, sub: session.tokens.claims()!.sub });
    expect(kapi.output()).not.toMatch(/back-channel logout delivery failed|special-use/);
  }, 60_000);
});
