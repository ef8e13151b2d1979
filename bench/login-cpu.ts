// `npm run bench:login-cpu -- [--logins=300] [--warmup=N] [--concurrency=4] [--target=kapi-pg|bare]
// [--profile] [--perf=FILE] [--per-request] [--userinfo=N] [--node-flags=a,b]`: the
// main thread's CPU per password login (issue 27), read from the kernel (the probe's
// /proc/thread-self/stat) around a batch of logins driven like scenario 4 (consent remembered, three
// citizens in turn), with a V8 CPU profile of that batch when asked. CPU time per login is a figure of
// the code, not of the machine's load (a busy machine lengthens the wall clock, not the CPU charged to
// the main thread), so it serves as a before/after of a change without the benchmark's lock; the
// profile's shares say where that time goes. Unpinned, fresh database and Redis prefix, nothing else.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { keepAliveAgent, request } from './lib/http.js';
import { CALLBACK, CITIZENS, CLIENT_ID, CLIENT_SECRET, registerBenchClient } from './lib/kapi-setup.js';
import { login, type RelyingParty } from './lib/login.js';
import { summariseProfile } from './lib/profile.js';
import { freePort, pinSelf, ROOT, startServer } from './lib/servers.js';
import { createDatabase, deleteRedisPrefix, randomSuffix, REDIS_URL, redisClient } from './lib/storage.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';

// Not bench/options.ts: that one parses the benchmark's own command line when imported.
const { values } = parseArgs({
  options: {
    logins: { type: 'string', default: '300' },
    warmup: { type: 'string' },
    // Extra V8/node flags for the server (comma-separated), e.g. to try a tiering setting on both targets.
    'node-flags': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    profile: { type: 'boolean', default: false },
    target: { type: 'string', default: 'kapi-pg' },
    // Per request of the flow: the main thread's CPU between one answer and the next (concurrency 1 only).
    'per-request': { type: 'boolean', default: false },
    // Instead of whole logins: this many userinfo requests with one login's access token (a repeatable
    // request that reads the token, the session, the account and writes a claim-release row).
    userinfo: { type: 'string' },
    // perf record of the main thread alone during the measured batch (CPU-clock samples: only while it
    // runs, kernel time included), JIT frames named through --perf-basic-prof; `perf report -i FILE`.
    perf: { type: 'string' },
  },
});
/** utime and stime (µs) of a process's main thread, as the kernel charged them. */
function mainThreadTicks(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) * 10_000, sys: Number(f[12]) * 10_000 };
}
const LOGIN = { scope: 'openid profile national_id' }; // scenario 4's (bench/scenarios.ts)
const COOKIE_KEYS = `bench-cookie-key-${randomSuffix()}-aaaaaaaaaaaaaaaa,bench-cookie-key-2-bbbbbbbbbbbbbbbb`;
const LOGINS = Number(values.userinfo ?? values.logins);
const CONCURRENCY = Number(values.concurrency);
const bare = values.target === 'bare';
const profileDir = path.join(ROOT, 'bench', 'profiles');
if (values.profile) await mkdir(profileDir, { recursive: true });
const before = values.profile ? new Set(await readdir(profileDir)) : new Set<string>();

pinSelf(0);
const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const db = bare ? undefined : await createDatabase();
const redis = redisClient();
const redisPrefix = `kapi-login-cpu-${randomSuffix()}:`;
const env: Record<string, string> = bare
  ? { PORT: String(port), BARE_ISSUER: issuer, BARE_CLIENT_ID: CLIENT_ID, BARE_CLIENT_SECRET: CLIENT_SECRET, BARE_CALLBACK: CALLBACK }
  : {
      PORT: String(port),
      KAPI_ISSUER: issuer,
      KAPI_LOG_LEVEL: 'warn',
      KAPI_DEMO: 'true',
      KAPI_COOKIE_KEYS: COOKIE_KEYS,
      DATABASE_URL: db!.url,
      REDIS_URL,
      KAPI_REDIS_PREFIX: redisPrefix,
    };
const rp: RelyingParty = { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK };
try {
  if (!bare) await registerBenchClient(env);
  const server = await startServer({
    name: values.target!,
    script: bare ? 'bench/bare-provider.ts' : 'src/main.ts',
    port,
    env,
    nodeFlags: [...SERVER_NODE_FLAGS, ...(values.perf ? ['--perf-basic-prof'] : []), ...(values['node-flags']?.split(',') ?? [])],
    // As in the benchmark: the server on core 1, this load generator on core 0 (Postgres and Redis are
    // left where they are: the benchmark moves them to core 0 for its run, this script does not).
    core: 1,
    ...(values.profile ? { cpuProfDir: profileDir } : {}),
  });
  const agent = keepAliveAgent(CONCURRENCY);
  const perRequest = values['per-request'] && CONCURRENCY === 1;
  const byRequest = new Map<string, number>();
  let last = mainThreadTicks(server.pid);
  const afterRequest = (label: string) => {
    const now = mainThreadTicks(server.pid);
    byRequest.set(label, (byRequest.get(label) ?? 0) + now.user + now.sys - last.user - last.sys);
    last = now;
  };
  let n = 0;
  let bearer = '';
  const one = async () => {
    if (!values.userinfo) return login(agent, rp, { ...LOGIN, ...CITIZENS[n++ % CITIZENS.length]!, ...(perRequest ? { afterRequest } : {}) });
    const me = await request(agent, `${issuer}/me`, { headers: { authorization: `Bearer ${bearer}` } });
    if (me.status !== 200) throw new Error(`userinfo ${me.status}: ${me.body.slice(0, 200)}`);
  };
  const batch = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next++;
          await one();
        }
      }),
    );
  };
  try {
    // Warm-up: consent for each citizen, then enough logins for V8 to optimise the hot code.
    for (const c of CITIZENS) bearer = (await login(agent, rp, { ...LOGIN, ...c })).tokens.access_token;
    await batch(Number(values.warmup ?? Math.max(60, LOGINS / 4)));
    byRequest.clear();
    last = mainThreadTicks(server.pid);
    const perf = values.perf
      ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '4000', '-g', '-t', String(server.pid), '-o', values.perf], { stdio: 'ignore' })
      : undefined;
    if (perf) await new Promise((r) => setTimeout(r, 500));
    const ua = mainThreadTicks(server.pid);
    const a = await server.probe();
    const t0 = Date.now();
    await batch(LOGINS);
    const b = await server.probe();
    const ub = mainThreadTicks(server.pid);
    if (perf) {
      const done = new Promise((r) => perf.on('exit', r));
      perf.kill('SIGINT');
      await done;
    }
    const perLogin = (x: number) => (x / LOGINS / 1000).toFixed(2);
    console.log(
      `${values.target}: ${LOGINS} ${values.userinfo ? 'userinfo requests' : 'logins'} at concurrency ${CONCURRENCY} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `main thread ${perLogin(b.mainThreadMicros - a.mainThreadMicros)} ms each, whole process ${perLogin(b.cpuMicros - a.cpuMicros)} ms each; ` +
        `Redis ${((b.redis - a.redis) / LOGINS).toFixed(1)}, SQL ${((b.sql - a.sql) / LOGINS).toFixed(1)} each; ` +
        `main thread user ${perLogin(ub.user - ua.user)} ms + kernel ${perLogin(ub.sys - ua.sys)} ms each`,
    );
    for (const [label, micros] of byRequest) console.log(`  ${perLogin(micros).padStart(6)} ms  ${label}`);
    if (values.profile) {
      await server.stop();
      const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
      if (!file) throw new Error('no .cpuprofile was written');
      const s = await summariseProfile(path.join(profileDir, file), [[a.monoMicros, b.monoMicros]], 40);
      console.log(`profile bench/profiles/${file}: ${s.totalMs.toFixed(0)} ms sampled on CPU (${((s.totalMs / LOGINS) * 1000).toFixed(0)} µs each)`);
      const show = (title: string, rows: typeof s.functions) => {
        console.log(title);
        for (const r of rows) console.log(`  ${(r.share * 100).toFixed(1).padStart(5)}%  ${((r.ms / LOGINS) * 1000).toFixed(0).padStart(5)} µs  ${r.name}`);
      };
      show('self time by area', s.packages.slice(0, 20));
      show('inclusive (synchronous) by area', s.inclusivePackages.slice(0, 20));
      show('self time by function', s.functions.slice(0, 40));
      show('inclusive (synchronous) by Kapı function', s.inclusiveKapi.slice(0, 30));
    }
  } finally {
    agent.destroy();
    await server.stop();
  }
} finally {
  await deleteRedisPrefix(redis, redisPrefix);
  redis.disconnect();
  await db?.drop();
}
