// `npm run soak` (issue 22 point 6): a bounded run of sign-ins and token traffic through two Kapı processes
// behind a private HAProxy, with one Redis failover and one Postgres failover in the middle. Not a test and
// never in CI: it takes 25 minutes by default. It reports the requests lost, the windows of 5xx answers,
// and the processes' RSS at the start and the end; the report goes to bench/results/soak.md and .json,
// and (unless --no-write) to the Soak section of docs/performance.md.
//
//   --minutes=N            length of the traffic (25; the failovers happen at 1/3 and 2/3 of it)
//   --redis=auto|sentinel|restart
//                          auto (default): a primary, a replica and three sentinels when this Kapı reads
//                          KAPI_REDIS_SENTINELS (src/config.ts), else one Redis killed and started again
//   --login-rate=R         sign-ins started per second (1.5)
//   --refresh-rate=R       refresh_token grants per second (15)
//   --cc-rate=R            client_credentials grants per second (10)
//   --no-write             leave docs/performance.md alone
//
// Everything runs on servers the soak starts itself, on free ports below 55535: a Postgres primary and its
// streaming replica (initdb and pg_basebackup as the postgres user), Redis (above), HAProxy with an HTTP
// frontend for Kapı and a TCP frontend standing for the database endpoint (as Patroni's HAProxy does), and
// two `src/main.ts` processes. The Postgres failover: the primary dies (immediate shutdown), after a
// detection delay the replica is promoted, and the endpoint is moved to it through HAProxy's runtime API.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { replaceSection, SOAK_MARKERS } from './lib/doc-sections.js';
import { HAS_HAPROXY, startHaproxy, type PrivateHaproxy } from './lib/haproxy.js';
import { basic, form, FORM, keepAliveAgent, request } from './lib/http.js';
import { CALLBACK, CITIZENS, CLIENT_ID, CLIENT_SECRET, registerBenchClient, RESOURCE_SCOPE, RESOURCES } from './lib/kapi-setup.js';
import { login, type RelyingParty } from './lib/login.js';
import { replicatedPostgres, type ReplicatedPostgres } from './lib/pg-replicated.js';
import { freeLowPort } from './lib/ports.js';
import { redisHa, type RedisHa } from './lib/redis-ha.js';
import { killAll, ROOT, startServer, type ServerProcess } from './lib/servers.js';
import { fmt } from './lib/stats.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    minutes: { type: 'string' },
    redis: { type: 'string' },
    'login-rate': { type: 'string' },
    'refresh-rate': { type: 'string' },
    'cc-rate': { type: 'string' },
    'no-write': { type: 'boolean' },
  },
});
const MINUTES = Number(values.minutes ?? 25);
const LOGIN_RATE = Number(values['login-rate'] ?? 1.5);
const REFRESH_RATE = Number(values['refresh-rate'] ?? 15);
const CC_RATE = Number(values['cc-rate'] ?? 10);
const WRITE = values['no-write'] !== true;
const SENTINEL_SUPPORTED = readFileSync(path.join(ROOT, 'src', 'config.ts'), 'utf8').includes('KAPI_REDIS_SENTINELS');
const REDIS_MODE = values.redis ?? 'auto';
if (!['auto', 'sentinel', 'restart'].includes(REDIS_MODE)) throw new Error(`--redis must be auto, sentinel or restart, not ${REDIS_MODE}`);
for (const [name, v] of [
  ['minutes', MINUTES],
  ['login-rate', LOGIN_RATE],
  ['refresh-rate', REFRESH_RATE],
  ['cc-rate', CC_RATE],
] as const)
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
const REDIS_KIND: 'sentinel' | 'restart' = REDIS_MODE === 'auto' ? (SENTINEL_SUPPORTED ? 'sentinel' : 'restart') : (REDIS_MODE as 'sentinel' | 'restart');
if (REDIS_KIND === 'sentinel' && !SENTINEL_SUPPORTED) throw new Error('--redis=sentinel: this Kapı does not read KAPI_REDIS_SENTINELS (src/config.ts)');

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- what is counted -------------------------------------------------------------------------------

interface Second {
  ok: number; // 2xx and 3xx
  s4xx: number;
  s5xx: number;
  lost: number; // sent, no HTTP answer (connection refused or reset, timeout)
  load: number; // the machine's 1-minute load average when the second began (other work on a shared machine)
}
const timeline: Second[] = [];
let t0 = 0;
const now = () => (performance.now() - t0) / 1000;
function bucket(): Second {
  const i = Math.max(0, Math.floor(now()));
  while (timeline.length <= i) timeline.push({ ok: 0, s4xx: 0, s5xx: 0, lost: 0, load: os.loadavg()[0]! });
  return timeline[i]!;
}
function answered(status: number): void {
  const b = bucket();
  if (status >= 500) b.s5xx++;
  else if (status >= 400) b.s4xx++;
  else b.ok++;
}
const NETWORK = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|timeout/i;

interface Kind {
  done: number;
  failed: number;
  skipped: number; // not started: too many of this kind still waiting for answers, or no refresh token in hand
  reasons: Map<string, number>;
}
const kinds: Record<'login' | 'refresh' | 'cc', Kind> = {
  login: { done: 0, failed: 0, skipped: 0, reasons: new Map() },
  refresh: { done: 0, failed: 0, skipped: 0, reasons: new Map() },
  cc: { done: 0, failed: 0, skipped: 0, reasons: new Map() },
};
function failed(kind: keyof typeof kinds, reason: string): void {
  kinds[kind].failed++;
  // Without the page behind a status, and with interaction ids folded, so that like failures count together.
  const short = reason
    .split(': <')[0]!
    .replace(/\/(interaction|auth)\/[^/\s]+/g, '/$1/:uid')
    .replace(/\s+/g, ' ')
    .slice(0, 120);
  kinds[kind].reasons.set(short, (kinds[kind].reasons.get(short) ?? 0) + 1);
}

interface Event {
  what: string;
  from: number; // seconds into the traffic
  to: number;
}
const events: Event[] = [];

// ---- the traffic ---------------------------------------------------------------------------------

const refreshPool: string[] = [];
let citizenTurn = 0;

async function oneLogin(rp: RelyingParty, agent: ReturnType<typeof keepAliveAgent>): Promise<void> {
  try {
    const r = await login(agent, rp, {
      ...CITIZENS[citizenTurn++ % CITIZENS.length]!,
      scope: 'openid profile national_id offline_access',
      prompt: 'consent',
      onAnswer: answered,
    });
    kinds.login.done++;
    if (r.tokens.refresh_token) {
      refreshPool.push(r.tokens.refresh_token);
      if (refreshPool.length > 200) refreshPool.shift();
    }
  } catch (err) {
    const message = (err as Error).message;
    if (NETWORK.test(message)) bucket().lost++;
    failed('login', message);
  }
}

async function tokenRequest(kind: 'refresh' | 'cc', rp: RelyingParty, agent: ReturnType<typeof keepAliveAgent>): Promise<void> {
  const token = kind === 'refresh' ? refreshPool.shift() : undefined;
  if (kind === 'refresh' && !token) {
    kinds.refresh.skipped++;
    return;
  }
  const body =
    kind === 'refresh'
      ? form({ grant_type: 'refresh_token', refresh_token: token! })
      : form({ grant_type: 'client_credentials', scope: RESOURCE_SCOPE, resource: RESOURCES[0]!.identifier });
  try {
    const res = await request(agent, `${rp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic(rp.clientId, rp.clientSecret), 'content-type': FORM },
      body,
    });
    answered(res.status);
    if (res.status !== 200) {
      failed(kind, `${res.status} ${res.body.slice(0, 100)}`);
      // A refresh token refused for a 5xx may still be good: it goes back for a later try.
      if (kind === 'refresh' && res.status >= 500) refreshPool.push(token!);
      return;
    }
    kinds[kind].done++;
    if (kind === 'refresh') {
      const next = (JSON.parse(res.body) as { refresh_token?: string }).refresh_token;
      refreshPool.push(next ?? token!);
    }
  } catch (err) {
    bucket().lost++;
    failed(kind, (err as Error).message);
    if (kind === 'refresh') refreshPool.push(token!); // no answer: the token was perhaps never seen
  }
}

/** An open loop: `fn` started `rate` times per second until `stop()`, at most `cap` at once. */
function paced(rate: number, cap: number, kind: keyof typeof kinds, fn: () => Promise<void>): { stop(): Promise<void> } {
  const inflight = new Set<Promise<void>>();
  let running = true;
  const loop = (async () => {
    const start = performance.now();
    for (let i = 0; running; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      if (!running) break;
      if (inflight.size >= cap) {
        kinds[kind].skipped++;
        continue;
      }
      const p = fn().finally(() => inflight.delete(p));
      inflight.add(p);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(inflight);
    },
  };
}

// ---- the servers ---------------------------------------------------------------------------------

interface Stack {
  pg: ReplicatedPostgres;
  redis: RedisHa;
  proxy: PrivateHaproxy;
  kapi: ServerProcess[];
  rp: RelyingParty;
}
const stops: Array<() => Promise<void>> = [];

async function startStack(): Promise<Stack> {
  const [pgPrimary, pgReplica, dbPort, httpPort, portA, portB] = [
    await freeLowPort(),
    await freeLowPort(),
    await freeLowPort(),
    await freeLowPort(),
    await freeLowPort(),
    await freeLowPort(),
  ];
  log(`Postgres primary and streaming replica (ports ${pgPrimary}, ${pgReplica})`);
  const pg = await replicatedPostgres(pgPrimary, pgReplica);
  stops.push(() => pg.destroy());
  await pg.createDatabase('kapi_soak');
  log(
    REDIS_KIND === 'sentinel'
      ? 'Redis primary, replica and three sentinels'
      : `Redis with an append-only file (this Kapı has no Sentinel support${REDIS_MODE === 'restart' ? ' in use: --redis=restart' : ': src/config.ts does not read KAPI_REDIS_SENTINELS'})`,
  );
  const redis = await redisHa(REDIS_KIND);
  stops.push(() => redis.stop());
  const proxy = await startHaproxy({
    port: httpPort,
    kapi: [
      { name: 'a', port: portA },
      { name: 'b', port: portB },
    ],
    check: true,
    tcp: {
      port: dbPort,
      servers: [
        { name: 'primary', port: pgPrimary },
        { name: 'replica', port: pgReplica },
      ],
    },
  });
  stops.push(() => proxy.stop());
  log(`HAProxy: Kapı on ${proxy.url}, the database endpoint on 127.0.0.1:${dbPort}`);
  const env: Record<string, string> = {
    KAPI_ISSUER: proxy.url,
    KAPI_TRUST_PROXY_HOPS: '1',
    KAPI_LOG_LEVEL: 'warn',
    KAPI_DEMO: 'true',
    KAPI_MOBILE_SIMULATOR: 'false',
    KAPI_DEMO_BANK: 'false',
    KAPI_MASTER_KEY: randomBytes(32).toString('base64'),
    KAPI_COOKIE_KEYS: `${randomBytes(24).toString('hex')},${randomBytes(24).toString('hex')}`,
    KAPI_PAIRWISE_SALT: randomBytes(24).toString('hex'),
    DATABASE_URL: `postgres://postgres@127.0.0.1:${dbPort}/kapi_soak`,
    KAPI_REDIS_PREFIX: 'soak:',
    ...redis.env,
  };
  await registerBenchClient({ ...env, PORT: String(portA) });
  const kapi: ServerProcess[] = [];
  for (const [name, port] of [
    ['a', portA],
    ['b', portB],
  ] as const) {
    const server = await startServer({
      name: `Kapı ${name}`,
      script: 'src/main.ts',
      port,
      env: { ...env, PORT: String(port) },
      nodeFlags: [...SERVER_NODE_FLAGS],
    });
    stops.push(() => server.stop());
    kapi.push(server);
  }
  log(`Kapı a (pid ${kapi[0]!.pid}) and Kapı b (pid ${kapi[1]!.pid}) behind the proxy`);
  return { pg, redis, proxy, kapi, rp: { issuer: proxy.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK } };
}

async function redisFailover(stack: Stack): Promise<void> {
  const from = now();
  const { what } = await stack.redis.failover();
  events.push({ what, from, to: now() });
  log(`  ${fmt(from, 0)} s: ${what} (${fmt(now() - from, 1)} s)`);
}

async function postgresFailover(stack: Stack): Promise<void> {
  const lag = await stack.pg.replicaLag().catch(() => NaN);
  const from = now();
  await stack.pg.killPrimary();
  await sleep(2000); // the HA manager's detection time (Patroni's loop is 10 s by default; a short one here)
  await stack.pg.promoteReplica();
  // The endpoint moves: the dead primary leaves the TCP frontend, the promoted replica (a backup) takes it.
  await stack.proxy.command('set server db/primary state maint');
  await stack.proxy.command('shutdown sessions server db/primary');
  const what = `Postgres primary stopped (immediate shutdown, as a crash; replica ${Number.isFinite(lag) ? `${fmt(lag)} bytes` : 'lag unknown'} behind), replica promoted after 2 s of detection, endpoint moved to it in HAProxy`;
  events.push({ what, from, to: now() });
  log(`  ${fmt(from, 0)} s: ${what} (${fmt(now() - from, 1)} s)`);
}

// ---- the report ----------------------------------------------------------------------------------

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
}

interface Window {
  from: number;
  to: number;
  s5xx: number;
  lost: number;
  load: number;
}
/** Seconds with a 5xx answer or a lost request, joined when less than 2 s apart. */
function windows(): Window[] {
  const out: Window[] = [];
  timeline.forEach((s, i) => {
    if (!s.s5xx && !s.lost) return;
    const last = out.at(-1);
    if (last && i - last.to <= 2) {
      last.to = i + 1;
      last.s5xx += s.s5xx;
      last.lost += s.lost;
      last.load = Math.max(last.load, s.load);
    } else out.push({ from: i, to: i + 1, s5xx: s.s5xx, lost: s.lost, load: s.load });
  });
  return out;
}

function render(command: string, started: Date, rss: Array<{ name: string; start: number; warm: number; end: number }>, seconds: number): string {
  const total = timeline.reduce((a, s) => ({ ok: a.ok + s.ok, s4xx: a.s4xx + s.s4xx, s5xx: a.s5xx + s.s5xx, lost: a.lost + s.lost }), {
    ok: 0,
    s4xx: 0,
    s5xx: 0,
    lost: 0,
  });
  const sent = total.ok + total.s4xx + total.s5xx + total.lost;
  const out: string[] = [SOAK_MARKERS.start, '', '## Soak: two processes through a Redis and a Postgres failover', ''];
  out.push(
    `Written by \`${command}\` (bench/soak.ts) on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC: ${fmt(MINUTES, MINUTES % 1 ? 1 : 0)} minutes of traffic (${fmt(seconds / 60, 1)} min in all with start-up). Issue 22 point 6. The default run is 25 minutes (\`npm run soak\`); ${MINUTES < 20 ? `this one was shortened with \`--minutes=${MINUTES}\`, to prove the soak on the shared development machine` : 'this is one'}.`,
  );
  out.push('');
  out.push(
    `- Two Kapı processes (\`src/main.ts\`, not pinned) behind a private HAProxy (HTTP health checks on /healthz, round robin), on a private Postgres primary with a streaming replica behind HAProxy's TCP frontend (the database endpoint), and ${REDIS_KIND === 'sentinel' ? 'a private Redis primary, replica and three sentinels (KAPI_REDIS_SENTINELS)' : `a private Redis with an append-only file (fsync every second) — ${SENTINEL_SUPPORTED ? 'chosen with --redis=restart' : 'this Kapı does not read KAPI_REDIS_SENTINELS yet, so the Redis failover is a crash and restart; with Sentinel support in src/config.ts the soak uses a primary, a replica and three sentinels by itself'}`}. All on ports of their own, started and removed by the soak.`,
  );
  out.push(
    `- Traffic, open loops: ${LOGIN_RATE} sign-ins/s (the whole code + PKCE flow through the hosted pages with consent, token, userinfo; 3 demo citizens in turn), ${REFRESH_RATE} refresh_token grants/s on the refresh tokens those sign-ins gave (each chain rotates), ${CC_RATE} client_credentials grants/s.`,
    `- The machine's 1-minute load average during the traffic (2 cores; other work on this shared machine counts): median ${fmt(median(timeline.map((t) => t.load)), 1)}, highest ${fmt(Math.max(...timeline.map((t) => t.load)), 1)}. HAProxy checks each process's /healthz every 0.5 s and takes it out of the rotation after 3 checks failed or took over 2 s: a dead process leaves it within about 1.5 s, and on an overloaded machine a process whose answers are late by more than that is taken out too ("No server is available" 503s from HAProxy).`,
  );
  out.push('');
  out.push('| event | at (s into the traffic) | took |');
  out.push('| --- | --- | --- |');
  for (const e of events) out.push(`| ${e.what} | ${fmt(e.from, 0)} | ${fmt(e.to - e.from, 1)} s |`);
  out.push('');
  out.push(
    `Requests: ${fmt(sent)} sent; ${fmt(total.ok)} answered 2xx/3xx, ${fmt(total.s4xx)} 4xx, ${fmt(total.s5xx)} 5xx, and **${fmt(total.lost)} lost** (no HTTP answer: connection refused or reset, timeout).`,
  );
  out.push('');
  out.push('| operation | completed | failed | not started (too many waiting, or no refresh token in hand) | why they failed (count) |');
  out.push('| --- | --- | --- | --- | --- |');
  const names = { login: 'sign-in (whole flow)', refresh: 'refresh_token grant', cc: 'client_credentials grant' } as const;
  for (const [k, v] of Object.entries(kinds) as Array<[keyof typeof kinds, Kind]>) {
    const reasons = [...v.reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([r, n]) => `${n} × ${r.replace(/\|/g, '\\|')}`)
      .join('; ');
    out.push(`| ${names[k]} | ${fmt(v.done)} | ${fmt(v.failed)} | ${fmt(v.skipped)} | ${reasons || '–'} |`);
  }
  out.push('');
  const w = windows();
  out.push(
    w.length
      ? 'Windows with 5xx answers or lost requests (seconds into the traffic; seconds less than 2 s apart joined):'
      : 'No 5xx answer and no lost request during the whole run.',
  );
  if (w.length) {
    out.push('');
    out.push('| window | length | 5xx | lost | after | machine load average (1 min) |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const x of w) {
      const cause = [...events].reverse().find((e) => e.from <= x.to);
      out.push(
        `| ${x.from}–${x.to} s | ${x.to - x.from} s | ${fmt(x.s5xx)} | ${fmt(x.lost)} | ${cause && x.from - cause.to < 60 ? cause.what.split(';')[0]!.split(' (')[0] : 'no failover'} | ${fmt(x.load, 1)} |`,
      );
    }
  }
  out.push('');
  out.push('| process | RSS at start (before traffic) | after the first minute | at the end |');
  out.push('| --- | --- | --- | --- |');
  for (const r of rss) out.push(`| ${r.name} | ${fmt(r.start / 1024, 1)} MiB | ${fmt(r.warm / 1024, 1)} MiB | ${fmt(r.end / 1024, 1)} MiB |`);
  out.push('');
  out.push(
    "What is not Kapı's here: the Postgres failover is a stand-in for Patroni (a kill, 2 s of detection, `pg_ctl promote`, the endpoint moved by HAProxy's runtime API); the replication is asynchronous, so what the primary committed in its last moment may be missing on the promoted replica (a refresh token rotated then, a sign-in recorded then). How Kapı answers a lost connection or a read-only transaction is issue 22 point 2.",
  );
  out.push('', SOAK_MARKERS.end);
  return out.join('\n');
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!HAS_HAPROXY) throw new Error('haproxy is not installed (apt-get install haproxy)');
  const started = new Date();
  const command = `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const stack = await startStack();
  const rssStart = stack.kapi.map((k) => k.rssKb());
  const agent = keepAliveAgent(64);
  t0 = performance.now();
  const seconds = MINUTES * 60;
  log(
    `Traffic for ${MINUTES} min: ${LOGIN_RATE} sign-ins/s, ${REFRESH_RATE} refresh/s, ${CC_RATE} client_credentials/s; Redis failover at ${fmt(seconds / 3, 0)} s, Postgres failover at ${fmt((2 * seconds) / 3, 0)} s`,
  );
  const loops = [
    paced(LOGIN_RATE, 32, 'login', () => oneLogin(stack.rp, agent)),
    paced(REFRESH_RATE, 64, 'refresh', () => tokenRequest('refresh', stack.rp, agent)),
    paced(CC_RATE, 64, 'cc', () => tokenRequest('cc', stack.rp, agent)),
  ];
  let rssWarm = rssStart;
  const progress = setInterval(() => {
    const last = timeline.slice(-30);
    const sum = last.reduce((a, s) => a + s.ok, 0);
    log(
      `  ${fmt(now(), 0)} s: ${fmt(sum / Math.max(1, last.length), 0)} ok answers/s over the last 30 s; sign-ins ${kinds.login.done} done, ${kinds.login.failed} failed; refresh ${kinds.refresh.done}/${kinds.refresh.failed}; cc ${kinds.cc.done}/${kinds.cc.failed}`,
    );
  }, 30_000);
  const at = async (s: number) => {
    const wait = t0 + s * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  };
  await at(Math.min(60, seconds / 3 - 1));
  rssWarm = stack.kapi.map((k) => k.rssKb());
  await at(seconds / 3);
  await redisFailover(stack);
  await at((2 * seconds) / 3);
  await postgresFailover(stack);
  await at(seconds);
  for (const l of loops) await l.stop();
  clearInterval(progress);
  agent.destroy();
  const rssEnd = stack.kapi.map((k) => k.rssKb());
  const rss = stack.kapi.map((k, i) => ({ name: k.name, start: rssStart[i]!, warm: rssWarm[i]!, end: rssEnd[i]! }));
  const report = render(command, started, rss, (Date.now() - started.getTime()) / 1000);
  log(`\n${report}`);
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench', 'results', 'soak.md'), `${report}\n`);
  await writeFile(
    path.join(ROOT, 'bench', 'results', 'soak.json'),
    JSON.stringify(
      {
        started,
        minutes: MINUTES,
        redis: REDIS_KIND,
        events,
        kinds: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, { ...v, reasons: Object.fromEntries(v.reasons) }])),
        timeline,
        rss,
      },
      null,
      2,
    ),
  );
  if (WRITE) {
    const file = path.join(ROOT, 'docs', 'performance.md');
    await writeFile(file, replaceSection(await readFile(file, 'utf8'), SOAK_MARKERS, report));
    log('Wrote the Soak section of docs/performance.md');
  }
}

let stopping = false;
async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`  clean-up: ${(err as Error).message}`));
  killAll();
}
process.on('SIGINT', () => {
  log('interrupted: stopping the servers');
  void cleanup().then(() => process.exit(130));
});

main()
  .catch((err: unknown) => {
    log(`soak failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  });
