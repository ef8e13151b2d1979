import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createKapi, type Kapi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { privateRedis, type PrivateRedis } from '../support/faults-services.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';
import { freePort, type TestKapi } from '../support/kapi.js';
import { recordKapiSecrets } from '../support/kapi-secrets.js';
import { recordSecret } from '../support/secret-record.js';
import { createTestDatabase, postgresAvailable, POSTGRES_ADMIN_URL, requireOrSkip } from '../support/services.js';

// Issue 22 point 5: the operator's backup (README "Backups and key material") restored into a fresh
// database and a fresh Redis. What is backed up: the Postgres database (pg_dump) and the three secrets of
// the configuration (KAPI_MASTER_KEY, KAPI_COOKIE_KEYS, KAPI_PAIRWISE_SALT). What is not: Redis. The
// restored Kapı must verify ID tokens signed before the backup (same JWKS), accept citizens' passwords,
// give institutions the same pairwise `sub`, and know no session: everyone signs in again.
// Runs in CI's Postgres pass only (jest.config.js: test/drills/), on a private redis-server.

const run = promisify(execFile);
const AYSE = DEMO_CITIZENS[0]!;

async function toolsPresent(): Promise<boolean> {
  const tools = await Promise.all(
    ['pg_dump', 'pg_restore', 'redis-server'].map((tool) =>
      run('sh', ['-c', `command -v ${tool}`]).then(
        () => true,
        () => false,
      ),
    ),
  );
  return tools.every(Boolean) && Boolean(process.env.DATABASE_URL) && (await postgresAvailable());
}

const drill = requireOrSkip('the backup drill (DATABASE_URL, pg_dump, pg_restore, redis-server)', await toolsPresent(), POSTGRES_ADMIN_URL);

/** The secrets an operator keeps beside the database dump: fresh ones, so that nothing else could stand in. */
const secrets = {
  KAPI_MASTER_KEY: randomBytes(32).toString('base64'),
  KAPI_COOKIE_KEYS: `${randomBytes(24).toString('hex')},${randomBytes(24).toString('hex')}`,
  KAPI_PAIRWISE_SALT: randomBytes(24).toString('hex'),
};

async function startOn(port: number, env: Record<string, string>): Promise<TestKapi> {
  const issuer = `http://127.0.0.1:${port}`;
  const full = { NODE_ENV: 'test', PORT: String(port), KAPI_ISSUER: issuer, DATA_DIR: ':memory:', KAPI_LOG_LEVEL: 'silent', ...secrets, ...env };
  const kapi: Kapi = await createKapi(loadConfig(full));
  await recordKapiSecrets(kapi, full);
  await kapi.listen();
  return { kapi, issuer, backend: 'postgres+redis', stop: () => kapi.close() };
}

drill('backup and restore into a fresh database and a fresh Redis (issue 22 point 5)', () => {
  const NEW_PASSWORD = `Yedekten-Donen-${randomBytes(4).toString('hex')}`;
  let dir: string;
  let port: number;
  let original: { db: Awaited<ReturnType<typeof createTestDatabase>>; redis: PrivateRedis; kapi: TestKapi | undefined };
  let restored: { db: Awaited<ReturnType<typeof createTestDatabase>>; redis: PrivateRedis; kapi: TestKapi | undefined } | undefined;
  let institution: Record<string, unknown>;
  let before: { idToken: string; sub: string; jwks: JSONWebKeySet; browser: Browser };

  beforeAll(async () => {
    recordSecret('password', NEW_PASSWORD, 'backup drill');
    dir = await mkdtemp(path.join(tmpdir(), 'kapi-backup-'));
    port = await freePort();
    original = { db: await createTestDatabase(), redis: await privateRedis(), kapi: undefined };
    original.kapi = await startOn(port, { DATABASE_URL: original.db.url, REDIS_URL: original.redis.url, KAPI_DEMO: 'true' });
    const t = original.kapi;

    // Life before the backup: a changed password, an institution, a sign-in that left a session and an ID token.
    const ayse = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!;
    await t.kapi.services.accounts.setPassword({
      accountId: ayse.id,
      hash: await t.kapi.services.hasher.hash(NEW_PASSWORD),
      mustChange: false,
      origin: 'self',
    });
    institution = await registerInstitution(t);
    const rp = await relyingParty(t, institution);
    const req = await authRequest(rp);
    const browser = new Browser();
    const callback = await signIn(browser, req.url.href, AYSE.nationalId, NEW_PASSWORD);
    const tokens = await exchange(rp, req, callback.url);
    const jwks = (await (await fetch(`${t.issuer}/jwks`)).json()) as JSONWebKeySet;
    before = { idToken: tokens.id_token!, sub: tokens.claims()!.sub, jwks, browser };

    // The session is there: a silent request (prompt=none) in the same browser gets a code.
    const silent = await authRequest(rp, { prompt: 'none' });
    expect(new URL((await browser.go(silent.url.href, {}, atCallback)).url).searchParams.get('code')).toBeTruthy();
  });

  afterAll(async () => {
    await original?.kapi?.stop().catch(() => undefined);
    await restored?.kapi?.stop().catch(() => undefined);
    for (const side of [original, restored]) {
      await side?.redis.stop().catch(() => undefined);
      await side?.db.drop().catch(() => undefined);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pg_dump of the database, restored with pg_restore into a new database beside a new Redis, with the same three secrets: old ID tokens verify (same JWKS), passwords work, the same pairwise sub, and no session survives', async () => {
    const started = Date.now();
    const dump = path.join(dir, 'kapi.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${dump}`, `--dbname=${original.db.url}`]);

    // The machine is lost: Kapı, its Redis (sessions, codes, limits) and its database go.
    await original.kapi!.stop();
    original.kapi = undefined;
    await original.redis.stop();

    // pg_restore needs an empty database: not a copy of the run's migrated template.
    restored = { db: await createTestDatabase({ empty: true }), redis: await privateRedis(), kapi: undefined };
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${restored.db.url}`, dump]);
    // Without the demo seed, so that every password and key comes from the dump, not from a new start.
    restored.kapi = await startOn(port, { DATABASE_URL: restored.db.url, REDIS_URL: restored.redis.url, KAPI_DEMO: 'false' });
    const t = restored.kapi;

    // Same keys: the published JWKS is the one before, and the ID token signed before the backup verifies.
    const jwks = (await (await fetch(`${t.issuer}/jwks`)).json()) as JSONWebKeySet;
    expect(jwks).toEqual(before.jwks);
    const { payload } = await jwtVerify(before.idToken, createLocalJWKSet(jwks), {
      issuer: t.issuer,
      audience: institution.client_id as string,
      currentDate: new Date(),
    });
    expect(payload.sub).toBe(before.sub);

    // Every session is gone: the browser that was signed in is asked to sign in again (silently: login_required).
    const rp = await relyingParty(t, institution); // the institution's secret still opens (sealed with the master key)
    const silent = await authRequest(rp, { prompt: 'none' });
    const answer = new URL((await before.browser.go(silent.url.href, {}, atCallback)).url);
    expect(answer.searchParams.get('error')).toBe('login_required');
    expect(answer.searchParams.get('code')).toBeNull();

    // Ayşe's password (changed after the demo seed) works, the code redeems, and her sub at the institution is the same.
    const req = await authRequest(rp);
    const callback = await signIn(new Browser(), req.url.href, AYSE.nationalId, NEW_PASSWORD);
    const tokens = await exchange(rp, req, callback.url);
    expect(tokens.claims()!.sub).toBe(before.sub);
    const wrong = await signIn(new Browser(), (await authRequest(rp)).url.href, AYSE.nationalId, AYSE.password);
    expect(atCallback(wrong.url)).toBe(false); // the demo password stayed replaced

    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("a restore with another master key does not start: sealed signing keys and institutions' secrets cannot be opened, and Kapı says so instead of making new keys", async () => {
    await restored!.kapi!.stop();
    restored!.kapi = undefined;
    const other = await freePort();
    const env = {
      NODE_ENV: 'test',
      PORT: String(other),
      KAPI_ISSUER: `http://127.0.0.1:${other}`,
      DATA_DIR: ':memory:',
      KAPI_LOG_LEVEL: 'silent',
      KAPI_DEMO: 'false',
      ...secrets,
      KAPI_MASTER_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: restored!.db.url,
      REDIS_URL: restored!.redis.url,
    };
    const attempt = await createKapi(loadConfig(env)).then(
      async (kapi) => {
        await kapi.close();
        return 'started';
      },
      (err: unknown) => (err as Error).message,
    );
    expect(attempt).toMatch(/^a sealed value \(signing_key:.*\) does not open with this key: in the database, sealed with another KAPI_MASTER_KEY/);
  });
});
