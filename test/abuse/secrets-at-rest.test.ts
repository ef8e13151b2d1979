import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { generate } from 'otplib';
import { DEMO_CLIENT_ID } from '../../src/demo/routes.js';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { BANK_A, bankJourney, startBankWorld, type BankWorld } from '../../interactions/banking/test/support.js';
import { openWithPassword } from '../account/security-support.js';
import { Browser } from '../support/browser.js';
import { faultsSkipReason, privatePostgres, privateRedis, type PrivatePostgres, type PrivateRedis } from '../support/faults-services.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../support/institution.js';
import { loginPage } from '../support/conformance-op.js';
import { appToken, citizen, registerDevice, setTwoFactor } from '../../interactions/second-factor/test/support.js';
import { secondFactorModule } from '../../interactions/second-factor/index.js';
import { codeIn } from '../support/codes.js';

// Secrets at rest: Kapı runs on a Postgres (and a Redis) of this test only, every feature that stores a
// secret is exercised, then the database is dumped with pg_dump (plain SQL, schema and data) and the
// Redis keyspace is read out; neither may contain a password, a TOTP secret, a private key, a pending
// code, a token or the master key in clear. The private servers are used on the embedded run too, so
// the dump is the same real Postgres dump in both CI modes.

jest.setTimeout(180_000);

const skip = faultsSkipReason();
if (skip) console.warn(`skipping the secrets-at-rest test: ${skip}`);
if (skip && process.env.CI === 'true') throw new Error(`${skip}, and CI=true requires it`);

const run = promisify(execFile);
const [AYSE, , GULSEN] = DEMO_CITIZENS;
const AYSE_RESET = { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' };
const AYSE_BANK = { login: '4000146', password: 'Demo-Banka-146', sub: 'cust-4000146' };
const ZEYNEP = { nationalId: '56789123416', password: 'Zeynep-Uygulama-2000', phone: '+905559998877' };

function pgDumpBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_dump')))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no pg_dump under /usr/lib/postgresql/*/bin');
  return path.join(root, versions[0], 'bin', 'pg_dump');
}

/** RFC 4648 base32 (what otplib's secrets are) to bytes. */
function base32Bytes(value: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of value.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The forms a binary secret could be written in. */
function binaryForms(bytes: Buffer): string[] {
  return [bytes.toString('hex'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, '')];
}

/** The whole Redis keyspace as text: every key and every value. */
async function redisText(url: string): Promise<string> {
  const r = new Redis(url);
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await r.type(key);
        const value =
          type === 'string'
            ? await r.get(key)
            : type === 'hash'
              ? JSON.stringify(await r.hgetall(key))
              : type === 'set'
                ? JSON.stringify(await r.smembers(key))
                : type === 'zset'
                  ? JSON.stringify(await r.zrange(key, '0', '-1'))
                  : type === 'list'
                    ? JSON.stringify(await r.lrange(key, 0, -1))
                    : `(${type})`;
        out.push(`${key}\t${value}`);
      }
    } while (cursor !== '0');
    return out.join('\n');
  } finally {
    r.disconnect();
  }
}

(skip ? describe.skip : describe)('abuse: no secret in clear in a database dump (or in Redis)', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let databaseUrl: string;
  let w: BankWorld;
  const masterKey = randomBytes(32);
  const cookieKeys = [randomBytes(24).toString('base64url'), randomBytes(24).toString('base64url')];
  const pairwiseSalt = randomBytes(24).toString('base64url');

  /** Every secret the test put into Kapı or got out of it, with a name for the failure message. */
  const secrets: { what: string; value: string }[] = [];
  /** Six-digit codes: matched on digit boundaries (a bare six-digit string is too common to search as text). */
  const codes: { what: string; value: string }[] = [];
  const secret = (what: string, ...values: string[]) => {
    for (const value of values) if (value && !secrets.some((s) => s.value === value)) secrets.push({ what, value });
  };

  let dump = '';
  let redisDump = '';

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([privatePostgres(), privateRedis()]);
    databaseUrl = await postgres.createDatabase('kapi_secrets_at_rest');
    w = await startBankWorld({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      KAPI_REDIS_PREFIX: 'secrets:',
      KAPI_MASTER_KEY: masterKey.toString('base64'),
      KAPI_COOKIE_KEYS: cookieKeys.join(','),
      KAPI_PAIRWISE_SALT: pairwiseSalt,
      KAPI_LOG_LEVEL: process.env.DEBUG_LEVEL ?? 'silent',
    });
    const t = w.t;
    secret('master key', ...binaryForms(masterKey));
    for (const k of cookieKeys) secret('cookie key', k);
    secret('pairwise salt', pairwiseSalt);

    // Demo seed passwords, and the demo institution's client secret.
    for (const c of DEMO_CITIZENS) secret(`seed password of ${c.nationalId}`, c.password);
    secret('demo institution client secret', String((await t.kapi.services.clients.metadataWithSecret(DEMO_CLIENT_ID))?.client_secret ?? ''));

    // A registered confidential institution; a login with offline_access: code, access and refresh token.
    const metadata = await registerInstitution(t, { scopes: ['openid', 'profile', 'offline_access'] });
    secret('institution client secret', String(metadata.client_secret));
    const rp = await relyingParty(t, metadata);
    {
      const req = await authRequest(rp, { scope: 'openid profile offline_access', prompt: 'consent' });
      const page = await loginPage(new Browser(), req.url.href, GULSEN);
      expect(atCallback(page.url)).toBe(true);
      secret('authorization code', new URL(page.url).searchParams.get('code')!);
      const tokens = await exchange(rp, req, page.url);
      expect(tokens.refresh_token).toBeTruthy();
      secret('access token', tokens.access_token);
      secret('refresh token', tokens.refresh_token!);
    }

    // A password change on the account pages (Gülşen).
    {
      const browser = new Browser();
      const page = await openWithPassword(t, browser, '/account/password', { nationalId: GULSEN.nationalId, password: GULSEN.password });
      const next = 'Degisen-Mavi-Kart-2026';
      const done = await browser.submit(
        page,
        { current_password: GULSEN.password, new_password: next, new_password_confirm: next },
        { name: 'submit', value: 'change' },
      );
      expect(done.url).toBe(`${t.issuer}/account/password?notice=changed`);
      secret('changed password', next);
    }

    // "Forgot my password" (Ayşe): one reset to the end (a new password), one left with its code pending.
    {
      const browser = new Browser();
      const start = await browser.go(`${t.issuer}/account/reset`);
      const codePage = await browser.submit(start, AYSE_RESET, { name: 'submit', value: 'start' });
      const code = codeIn(t.kapi.messaging.smsOutbox!.latest(AYSE.phone)?.text);
      codes.push({ what: 'used reset code', value: code });
      const pwPage = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
      expect(pwPage.url).toBe(`${t.issuer}/account/reset/password`);
      const next = 'Yeni-Ankara-Sifresi-2026';
      await browser.submit(pwPage, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' });
      expect((await openWithPassword(t, new Browser(), '/account', { nationalId: AYSE.nationalId, password: next })).url).toBe(`${t.issuer}/account`);
      secret('reset password', next);
      const pending = new Browser();
      const again = await pending.go(`${t.issuer}/account/reset`);
      const before = t.kapi.messaging.smsOutbox!.list(AYSE.phone).length;
      await pending.submit(again, AYSE_RESET, { name: 'submit', value: 'start' });
      expect(t.kapi.messaging.smsOutbox!.list(AYSE.phone).length).toBe(before + 1);
      codes.push({ what: 'pending reset code', value: codeIn(t.kapi.messaging.smsOutbox!.latest(AYSE.phone)?.text) });
    }

    // The e-Government Key (TOTP) of Ayşe: enrolled and activated with a first code.
    {
      const account = (await t.kapi.services.accounts.findByNationalId(AYSE.nationalId))!;
      const setup = await t.kapi.exportsOf(secondFactorModule).totp.begin(account.id, 'Ayşe');
      if (setup === 'already_active') throw new Error('TOTP already active');
      expect(await t.kapi.exportsOf(secondFactorModule).totp.check(account.id, await generate({ secret: setup.secret }), { activate: true })).toBe('ok');
      secret('TOTP secret (base32)', setup.secret, setup.uri);
      secret('TOTP secret (bytes)', ...binaryForms(base32Bytes(setup.secret)));
    }

    // A device registered through the device API (its push token is a secret), after an app login with an SMS code.
    {
      const zeynep = await citizen(t, ZEYNEP.nationalId, ZEYNEP.password, ZEYNEP.phone);
      secret('password set for the app user', ZEYNEP.password);
      await setTwoFactor(t, zeynep.nationalId, true); // so that the sign-in sends an SMS code
      const token = await appToken(t, zeynep);
      codes.push({ what: 'second-factor SMS code', value: token.smsCode! });
      secret('app access token', token.accessToken);
      if (token.refreshToken) secret('app refresh token', token.refreshToken);
      const pushToken = `push-${randomBytes(16).toString('hex')}`;
      await registerDevice(t, token, 'Zeynep telefonu', pushToken);
      secret('device push token', pushToken);
      expect(await t.kapi.services.db('registered_devices').count<{ c: string }[]>({ c: '*' })).toEqual([{ c: '1' }]);
    }

    // Online banking: Ayşe signs in through Alfa Bank (a bank link is stored).
    {
      const req = await authRequest(rp, { scope: 'openid profile' });
      const { page } = await bankJourney(new Browser(), req.url.href, BANK_A, w.bankA.issuer, AYSE_BANK.login, AYSE_BANK.password);
      expect(atCallback(page.url)).toBe(true);
      expect(await t.kapi.services.db('bank_links').count<{ c: string }[]>({ c: '*' })).toEqual([{ c: '1' }]);
      secret('bank password', AYSE_BANK.password);
      secret("the bank's subject", AYSE_BANK.sub);
    }

    // Signing keys: those generated at the first start, and those a rotation adds.
    const byKid = new Map((await t.kapi.services.keys.providerJwks()).keys.map((k) => [k.kid, k]));
    await t.kapi.services.keys.rotate(new Date(), { force: true });
    for (const k of (await t.kapi.services.keys.providerJwks()).keys) byKid.set(k.kid, k);
    const jwks = [...byKid.values()];
    expect(jwks.length).toBeGreaterThanOrEqual(6);
    for (const jwk of jwks) {
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        const value = jwk[part];
        if (typeof value === 'string') secret(`signing key ${jwk.kid} ${part}`, ...binaryForms(Buffer.from(value, 'base64url')));
      }
      const der = createPrivateKey({ key: jwk as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' });
      secret(`signing key ${jwk.kid} PKCS#8`, der.toString('base64'), der.toString('hex'));
    }

    const { stdout } = await run(pgDumpBin(), ['--format=plain', '--no-owner', '--dbname', databaseUrl], { maxBuffer: 256 * 1024 * 1024 });
    dump = stdout;
    redisDump = await redisText(redis.url);
  }, 170_000);

  afterAll(async () => {
    await w?.close().catch(() => {});
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  it('the dump holds the data (argon2id hashes, sealed secrets, the accounts, the bank link)', () => {
    expect(dump).toContain('COPY public.accounts');
    expect(dump).toContain(AYSE.nationalId);
    expect((dump.match(/\$argon2id\$/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(dump).toMatch(/COPY public\.totp_credentials[^\n]*\n[^\n]*\tv1\./);
    expect(dump).toMatch(/COPY public\.signing_keys[^\n]*\n[^\n]*\tv1\./);
    expect(dump).toMatch(/COPY public\.registered_devices[\s\S]*?\tv1\./);
    expect(dump).toMatch(/COPY public\.bank_links[^\n]*\nalfa-bank\t/);
    expect(redisDump).toContain('secrets:');
  });

  it('contains no password, TOTP secret, private key, client secret, token, push token or master key in clear', () => {
    expect(secrets.length).toBeGreaterThan(40);
    const found = secrets.filter((s) => dump.includes(s.value)).map((s) => `${s.what} (in the dump)`);
    const inRedis = secrets.filter((s) => redisDump.includes(s.value)).map((s) => `${s.what} (in Redis)`);
    expect([...found, ...inRedis]).toEqual([]);
  });

  it('contains no SMS code in clear (used or pending)', () => {
    expect(codes).toHaveLength(3);
    // Not preceded by a '.' either: fractional seconds of a timestamp are six digits too.
    const present = (text: string, code: string) => new RegExp(`(?<![0-9.])${code}(?![0-9])`).test(text);
    const found = codes.filter((c) => present(dump, c.value) || present(redisDump, c.value)).map((c) => c.what);
    expect(found).toEqual([]);
  });
});
