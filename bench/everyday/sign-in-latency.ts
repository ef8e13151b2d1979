// Part of `npm run bench:everyday` (bench/everyday/run.ts), issue 24 point 4: one sign-in at a time, end
// to end, for each method, driven the way the test suites drive them (test/support: the small HTTP
// browser, openid-client as the institution; the SMS code from the messaging outbox; the MSSP simulator
// and a test CA with live OCSP; kapi-signer on a SoftHSM2 token). From the institution's authorization
// request to its tokens (the code exchanged, the ID token checked). Kapı runs in this process, on the
// backend the environment names (DATABASE_URL + REDIS_URL: a fresh database and a private Redis
// prefix; otherwise the embedded default), as in the tests.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import type * as client from 'openid-client';
import { compiledEntry } from '../../bin/build-state.mjs';
import { createKapi, type Kapi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Browser, type Page } from '../../test/support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty } from '../../test/support/institution.js';
import type { TestKapi } from '../../test/support/kapi.js';
import { codeOn, startSmartCard, startTestPki } from '../../test/support/smart-card.js';
import { createSoftHsm, softHsmMissing } from '../../test/support/softhsm.js';
import { startMobileSignature, startTestbed, interactionUrl, verificationCodeOn } from '../../interactions/mobile-signature/test/support.js';
import { citizen, consent, password, phoneFromRegistry, setTwoFactor } from '../../interactions/second-factor/test/support.js';
import { QUERY_INTERVAL_MS } from '../../interactions/mobile-signature/advance.js';
import { percentile } from '../lib/stats.js';
import { freeLowPort } from '../lib/ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PIN = '654321';
const AYSE = { nationalId: '10000000146', password: 'Ankara-Kizilay-1923', givenName: 'Ayşe', familyName: 'Yılmaz' };
/** Mobile signature: a number the simulator's Turkcell signs for at once (interactions/mobile-signature/test/login.test.ts). */
const AYSE_PHONE = '05300000001';
/** The browser's poll interval for the mobile-signature waiting page here (poll.js waits 500 ms): short,
 *  so that what is measured is Kapı's work and not a wait of the page. */
const POLL_MS = 20;
/** Smart-card sign-ins start at most this often: the signer API's limit is 60 calls a minute per address. */
const SIGNER_PACE_MS = 2100;
/** The SMS sign-ins rotate over people of the registry fixtures: an account is sent at most five codes in
 *  15 minutes (interactions/second-factor/limits.ts), and thirty in a row would spend that. */
const SMS_PEOPLE = ['10000000146', '12345678950', '10090908018', '23654859046', '56789123416', '34567891238', '99234567106', '99876543292'];

export const METHODS = ['password', 'password+sms', 'mobile-signature', 'smart-card'] as const;
export type Method = (typeof METHODS)[number];

export interface MethodLatency {
  method: Method;
  runs: number;
  p50: number;
  p95: number;
  max: number;
  acr: string;
  amr: string[];
  note: string;
  /** A wait the method is built with, inside every sign-in (mobile signature: Kapı's first status query). */
  builtInWait?: number;
}

export interface SignInLatency {
  backend: string;
  warmup: number;
  methods: MethodLatency[];
  skipped: { method: Method; reason: string }[];
}

async function testDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  if (!process.env.DATABASE_URL) return undefined;
  const name = `kapi_everyday_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function runSigner(issuer: string, code: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin/kapi-signer.mjs'),
        '--server',
        issuer,
        '--code',
        code,
        '--card',
        'softhsm',
        '--token-label',
        'ayse-card',
        '--pin-stdin',
        '--yes',
        '--json',
      ],
      { env: { ...env, KAPI_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stderr }));
    child.stdin.end(`${PIN}\n`);
  });
}

async function finish(rp: client.Configuration, browser: Browser, req: Awaited<ReturnType<typeof authRequest>>, page: Page) {
  const done = await consent(browser, page);
  if (!atCallback(done.url)) throw new Error(`did not reach the institution: ${done.status} ${done.url}\n${done.html.slice(0, 800)}`);
  const claims = (await exchange(rp, req, done.url)).claims()!;
  return { acr: String(claims.acr), amr: (claims.amr as string[]) ?? [] };
}

export async function measureSignInLatency(options: { runs: number; warmup: number; log: (line: string) => void }): Promise<SignInLatency> {
  const { runs, warmup, log } = options;
  const pki = await startTestPki();
  const bed = await startTestbed({ answerAfterMs: 0 });
  const hsmMissing = softHsmMissing();
  const hsm = hsmMissing ? undefined : await createSoftHsm();
  if (hsm) {
    await hsm.initToken('ayse-card', PIN);
    await hsm.generateKeyPair('ayse-card', PIN, { id: '01', type: 'EC:prime256v1', keyLabel: 'auth' });
    const der = await pki.ca.issueLeaf({ ...AYSE, profile: 'id-card', publicKey: new Uint8Array(await hsm.readPublicKey('ayse-card', '01')) });
    await hsm.writeCertificate('ayse-card', PIN, '01', der, 'auth');
  }
  const database = await testDatabase();
  const port = await freeLowPort();
  const issuer = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    PORT: String(port),
    KAPI_ISSUER: issuer,
    DATA_DIR: ':memory:',
    KAPI_LOG_LEVEL: 'silent',
    KAPI_DEMO: 'true',
    // Thirty sign-ins in a row for one number is above the default per-number budget (ten an hour).
    KAPI_MSSP_REQUESTS_PER_NUMBER_HOUR: '1000',
    // And above the SMS codes one account may be sent in an hour (five).
    KAPI_CODES_PER_ACCOUNT_HOUR: '100',
    KAPI_CODES_PER_TARGET_HOUR: '1000',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, KAPI_REDIS_PREFIX: `kapi-everyday-${randomBytes(4).toString('hex')}:` } : {}),
    ...pki.env,
    ...bed.env,
  };
  const kapi: Kapi = await createKapi(loadConfig(env), { secondFactorGuesses: 1000, approvalLimits: { lockSeconds: 1, perAccount: 1000 } });
  await kapi.listen();
  const t: TestKapi = { kapi, issuer, backend: database ? 'postgres+redis' : 'embedded', stop: async () => {} };
  const backend = database ? 'Postgres + Redis' : 'embedded (PGlite in memory + process memory)';
  const skipped: SignInLatency['skipped'] = [];
  const results: MethodLatency[] = [];
  try {
    const rp = await relyingParty(t, await registerInstitution(t));
    await phoneFromRegistry(t, AYSE.nationalId);
    const signer = compiledEntry(ROOT, 'src/signer/main');
    let smsRuns = 0;

    const journeys: Record<
      Method,
      { prepare?: () => Promise<void>; run: () => Promise<{ acr: string; amr: string[] }>; note: string; builtInWait?: number; paceMs?: number }
    > = {
      password: {
        prepare: async () => void (await setTwoFactor(t, AYSE.nationalId, false)),
        run: async () => {
          const browser = new Browser();
          const req = await authRequest(rp);
          return finish(rp, browser, req, await password(browser, req.url.href, AYSE.nationalId, AYSE.password));
        },
        note: 'identity number and password (argon2id), consent given before',
      },
      'password+sms': {
        prepare: async () => {
          for (const [i, nationalId] of SMS_PEOPLE.entries()) {
            await citizen(t, nationalId, `Bench-Sms-${i}-Parola`, `0532000000${i}`);
            await setTwoFactor(t, nationalId, true);
          }
        },
        run: async () => {
          const i = smsRuns++ % SMS_PEOPLE.length;
          const browser = new Browser();
          const req = await authRequest(rp);
          const page = await password(browser, req.url.href, SMS_PEOPLE[i]!, `Bench-Sms-${i}-Parola`);
          const sms = kapi.messaging.smsOutbox!.latest(`0532000000${i}`);
          const code = sms?.purpose === 'second_factor' ? /\b(\d{6})\b/.exec(sms.text)?.[1] : undefined;
          if (!code) throw new Error(`no second-factor code sent (${page.status}): ${page.html.replace(/<[^>]+>/g, ' ').slice(0, 400)}`);
          return finish(rp, browser, req, await browser.submit(page, { code }, { name: 'action', value: 'verify' }, atCallback));
        },
        note: `the code read from the SMS outbox as soon as the page asks for it; ${SMS_PEOPLE.length} people in turn (five codes per person in 15 minutes)`,
      },
      'mobile-signature': {
        prepare: async () => void (await setTwoFactor(t, AYSE.nationalId, false)),
        run: async () => {
          const browser = new Browser();
          const req = await authRequest(rp, { acr_values: 'high' });
          const waiting = await startMobileSignature(
            browser,
            req.url.href,
            { nationalId: AYSE.nationalId, phone: AYSE_PHONE, operator: 'turkcell' },
            atCallback,
          );
          verificationCodeOn(waiting);
          for (;;) {
            const body = (await (await browser.request(`${interactionUrl(waiting)}/poll`)).json()) as { status: string };
            if (body.status !== 'pending') break;
            await new Promise((r) => setTimeout(r, POLL_MS));
          }
          return finish(rp, browser, req, await browser.go(interactionUrl(waiting), {}, atCallback));
        },
        note: `the MSSP simulator answers at once (its delay left out), the page polls every ${POLL_MS} ms; Kapı asks the operator first ${QUERY_INTERVAL_MS / 1000} s after the start (QUERY_INTERVAL_MS); OCSP checked`,
        builtInWait: QUERY_INTERVAL_MS,
      },
      'smart-card': {
        run: async () => {
          const browser = new Browser();
          const req = await authRequest(rp, { acr_values: 'high' });
          const waiting = await startSmartCard(browser, req.url.href, 'id-card', AYSE.nationalId, atCallback);
          const signed = await runSigner(issuer, codeOn(waiting), hsm!.env);
          if (signed.code !== 0) throw new Error(`kapi-signer exited ${signed.code}: ${signed.stderr.slice(-600)}`);
          return finish(rp, browser, req, await browser.go(waiting.url.replace(/\/method\/.*$/, ''), {}, atCallback));
        },
        note: `kapi-signer started for each sign-in (${signer.file ? 'compiled' : `TypeScript through tsx: ${signer.reason}`}), SoftHSM2, OCSP checked; one start every ${SIGNER_PACE_MS / 1000} s`,
        // The signer API allows 60 calls a minute from one address (interactions/smart-card/parts.ts), two per sign-in.
        paceMs: SIGNER_PACE_MS,
      },
    };

    for (const method of METHODS) {
      if (method === 'smart-card' && !hsm) {
        skipped.push({ method, reason: hsmMissing! });
        continue;
      }
      const journey = journeys[method];
      await journey.prepare?.();
      let last = { acr: '', amr: [] as string[] };
      const paced = async (run: () => Promise<typeof last>, started: number) => {
        const result = await run();
        if (journey.paceMs) await new Promise((r) => setTimeout(r, Math.max(0, started + journey.paceMs! - performance.now())));
        return result;
      };
      for (let i = 0; i < warmup; i++) last = await paced(journey.run, performance.now());
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        let ended = 0;
        last = await paced(async () => {
          const result = await journey.run();
          ended = performance.now();
          return result;
        }, started);
        times.push(ended - started);
      }
      times.sort((a, b) => a - b);
      const row = {
        method,
        runs,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: times.at(-1)!,
        ...last,
        note: journey.note,
        builtInWait: journey.builtInWait,
      };
      log(`  ${method}: p50 ${row.p50.toFixed(0)} ms, p95 ${row.p95.toFixed(0)} ms (acr ${row.acr}, amr ${row.amr.join(' ')})`);
      results.push(row);
    }
  } finally {
    await kapi.close();
    await database?.drop();
    await bed.close();
    await pki.close();
    await hsm?.destroy();
  }
  return { backend, warmup, methods: results, skipped };
}
