// Part of `npm run bench` (bench/run.ts): the servers measured (Kapı on Postgres + Redis, Kapı embedded,
// bare oidc-provider), each in its own process on its own database, Redis prefix or data directory.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { RelyingParty } from './lib/login.js';
import { freePort, ROOT, startServer, type ServerProcess } from './lib/servers.js';
import { adminQuery, createDatabase, deleteRedisPrefix, randomSuffix } from './lib/storage.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';
import { CALLBACK, CITIZENS, CLIENT_ID, CLIENT_SECRET, registerBenchClient, RESOURCES } from './lib/kapi-setup.js';
import { startHaproxy, type PrivateHaproxy } from './lib/haproxy.js';
import { freeLowPort } from './lib/ports.js';
import { option, type TargetKey, LABEL, PROCESSES, SCALE_CORES, GROWTH_SCALE, TARGETS, log } from './options.js';
import { seedPersonHistory } from './data-growth/person.js';
import { copyTemplate, ensureTemplate, type GrowthTemplate } from './data-growth/template.js';
import { cleanups } from './cleanup.js';
import type { Outcome } from './measure.js';

export interface Target {
  key: TargetKey;
  server: ServerProcess;
  rp: RelyingParty;
  env: Record<string, string>;
  redisPrefix?: string;
  databaseUrl?: string;
  maxLogins?: number;
  refreshPool: string[];
  idleProbe?: Outcome;
  /** Scale-out targets: the proxy in front and the Kapı processes behind it (`server` sums them). */
  proxy?: PrivateHaproxy;
  processes?: ServerProcess[];
  windows: Array<[number, number]>; // measured runs, CLOCK_MONOTONIC µs of the server
  /** kapi-pg-grown: the template its database was copied from, and how long the copy took. */
  growth?: GrowthTemplate & { copySeconds: number };
}

export const COOKIE_KEYS = `bench-cookie-key-${randomSuffix()}-aaaaaaaaaaaaaaaa,bench-cookie-key-2-bbbbbbbbbbbbbbbb`;
export const NICE_POOL = option('nice-pool') === undefined ? undefined : Number(option('nice-pool'));
export const KAPI_ENV = Object.fromEntries(
  (option('kapi-env') ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
export const KAPI_NODE_FLAGS = (option('kapi-node-flags') ?? '').split(',').filter(Boolean);
export const EXPERIMENTS = (option('experiment') ?? '').split(',').filter(Boolean);
if (EXPERIMENTS.length) KAPI_ENV.BENCH_EXPERIMENTS = EXPERIMENTS.join(',');

/** `extraNodeFlags`: for every kind of server, the bare one too (bench/alloc-profile.ts preloads its heap sampler). */
export async function prepareTarget(key: TargetKey, redis: Redis | undefined, cpuProfDir?: string, extraNodeFlags: string[] = []): Promise<Target> {
  if (PROCESSES[key] && key.startsWith('bare-')) return prepareBareScaleTarget(key, PROCESSES[key]);
  if (PROCESSES[key]) return prepareScaleTarget(key, PROCESSES[key], redis);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const rp: RelyingParty = { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK };
  if (key === 'bare') {
    const server = await startServer({
      name: 'bare oidc-provider',
      script: 'bench/bare-provider.ts',
      port,
      core: 1,
      cpuProfDir,
      // The node flags of Kapı's `npm start` too, so that the ratios compare code, not runtime settings.
      nodeFlags: [...SERVER_NODE_FLAGS, ...extraNodeFlags],
      env: bareEnv(port, issuer),
    });
    cleanups.push({ what: 'stop bare oidc-provider', run: () => server.stop() });
    return { key, server, env: {}, rp, refreshPool: [], windows: [] };
  }
  const env: Record<string, string> = {
    PORT: String(port),
    KAPI_ISSUER: issuer,
    KAPI_LOG_LEVEL: 'warn',
    KAPI_DEMO: 'true',
    KAPI_COOKIE_KEYS: COOKIE_KEYS,
    ...KAPI_ENV,
  };
  let redisPrefix: string | undefined;
  let databaseUrl: string | undefined;
  let growth: Target['growth'];
  if (key === 'kapi-pg' || key === 'kapi-pg-grown') {
    let db: Awaited<ReturnType<typeof createDatabase>>;
    if (key === 'kapi-pg-grown') {
      // The data-growth template, built the first time (minutes at full scale), then copied for this run.
      const template = await ensureTemplate(GROWTH_SCALE, log);
      const t0 = performance.now();
      db = await copyTemplate(template.name);
      growth = { ...template, copySeconds: (performance.now() - t0) / 1000 };
      log(`  copied ${template.name} (${(template.bytes / 2 ** 30).toFixed(2)} GiB) in ${growth.copySeconds.toFixed(1)} s`);
    } else db = await createDatabase();
    cleanups.push({ what: `drop database ${db.name}`, run: () => db.drop() });
    // Experiment: commits of the benchmark database do not wait for the WAL flush (this database only).
    if (EXPERIMENTS.includes('async-commit')) await adminQuery(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
    databaseUrl = db.url;
    redisPrefix = `kapi-bench-${randomSuffix()}:`;
    const prefix = redisPrefix;
    cleanups.push({ what: `delete Redis keys ${prefix}*`, run: () => deleteRedisPrefix(redis!, prefix) });
    Object.assign(env, { DATABASE_URL: db.url, REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', KAPI_REDIS_PREFIX: redisPrefix });
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-bench-'));
    cleanups.push({ what: `remove ${dir}`, run: () => rm(dir, { recursive: true, force: true }) });
    env.DATA_DIR = dir;
  }
  await registerBenchClient(env);
  let logFile: string | undefined;
  if (KAPI_NODE_FLAGS.length) {
    await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
    logFile = path.join(ROOT, 'bench', 'results', `${key}${cpuProfDir ? '.profiled' : ''}.log`); // the profiled rerun keeps the main run's log
    await rm(logFile, { force: true });
  }
  const server = await startServer({
    name: LABEL[key],
    script: 'src/main.ts',
    port,
    core: 1,
    cpuProfDir,
    env,
    nicePool: NICE_POOL,
    nodeFlags: [...SERVER_NODE_FLAGS, ...KAPI_NODE_FLAGS, ...extraNodeFlags],
    logFile,
  });
  cleanups.push({ what: `stop ${LABEL[key]}`, run: () => server.stop() });
  // Data growth: on the empty database the measured person gets a history of a heavy citizen's shape.
  if (key === 'kapi-pg' && databaseUrl && TARGETS.includes('kapi-pg-grown')) await seedPersonHistory(databaseUrl, CITIZENS[0]!.nationalId);
  return { key, server, env, redisPrefix, databaseUrl, rp, refreshPool: [], windows: [], ...(growth ? { growth } : {}) };
}

/** The bare provider's environment (bench/bare-provider.ts): the benchmark's client and resources. */
function bareEnv(port: number, issuer: string): Record<string, string> {
  return {
    PORT: String(port),
    BARE_ISSUER: issuer,
    BARE_CLIENT_ID: CLIENT_ID,
    BARE_CLIENT_SECRET: CLIENT_SECRET,
    BARE_CALLBACK: CALLBACK,
    BARE_RESOURCES: JSON.stringify(RESOURCES),
  };
}

/** The core of a scale-out target's i-th process: core 1, or the second on core 0 with --scale-cores=spread. */
const scaleCore = (i: number) => (i > 0 && SCALE_CORES === 'spread' ? 0 : 1);

/** Ports for `count` processes and a private HAProxy in front of them (leastconn), whose URL is their issuer. */
async function proxyFor(key: TargetKey, count: number): Promise<{ ports: number[]; proxy: PrivateHaproxy; issuer: string; rp: RelyingParty }> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freeLowPort());
  const proxy = await startHaproxy({
    port: await freeLowPort(),
    kapi: ports.map((port, i) => ({ name: String.fromCharCode(97 + i), port })),
    balance: 'leastconn',
  });
  cleanups.push({ what: `stop the HAProxy of ${LABEL[key]}`, run: () => proxy.stop() });
  const issuer = proxy.url;
  return { ports, proxy, issuer, rp: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK } };
}

/**
 * A scale-out target (issue 22 point 3): `count` Kapı processes on one database and Redis prefix, with
 * the same secrets, behind a private HAProxy whose URL is their issuer (KAPI_TRUST_PROXY_HOPS=1). Every
 * process is pinned to core 1 like the other Kapı targets (with --scale-cores=spread the second goes to
 * core 0, beside the load generator, Postgres and Redis): on two cores there is no core of its own to give
 * a second process, which is why the report compares throughput per CPU-second of Kapı. `balance
 * leastconn` lets a process that falls behind take fewer requests. The target's `server` sums the
 * processes' probes (CPU, storage calls, memory), so every scenario measures the deployment as one.
 */
async function prepareScaleTarget(key: TargetKey, count: number, redis: Redis | undefined): Promise<Target> {
  const { ports, proxy, issuer, rp } = await proxyFor(key, count);
  const db = await createDatabase();
  cleanups.push({ what: `drop database ${db.name}`, run: () => db.drop() });
  const redisPrefix = `kapi-bench-${randomSuffix()}:`;
  cleanups.push({ what: `delete Redis keys ${redisPrefix}*`, run: () => deleteRedisPrefix(redis!, redisPrefix) });
  const env: Record<string, string> = {
    KAPI_ISSUER: issuer,
    KAPI_TRUST_PROXY_HOPS: '1',
    KAPI_LOG_LEVEL: 'warn',
    KAPI_DEMO: 'true',
    KAPI_MOBILE_SIMULATOR: 'false', // its default port (PORT + 2) could be another process's
    KAPI_DEMO_BANK: 'false',
    KAPI_COOKIE_KEYS: COOKIE_KEYS,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    KAPI_REDIS_PREFIX: redisPrefix,
    ...KAPI_ENV,
  };
  await registerBenchClient({ ...env, PORT: String(ports[0]) });
  const processes: ServerProcess[] = [];
  // One after the other: the first start seeds the demo citizens and makes the signing keys.
  for (const [i, port] of ports.entries()) {
    const server = await startServer({
      name: `${LABEL[key]} #${i + 1}`,
      script: 'src/main.ts',
      port,
      core: scaleCore(i),
      env: { ...env, PORT: String(port) },
      nicePool: NICE_POOL,
      nodeFlags: [...SERVER_NODE_FLAGS, ...KAPI_NODE_FLAGS],
    });
    cleanups.push({ what: `stop ${server.name}`, run: () => server.stop() });
    processes.push(server);
  }
  return { key, server: combined(LABEL[key], issuer, processes), env, redisPrefix, databaseUrl: db.url, rp, refreshPool: [], windows: [], proxy, processes };
}

/**
 * The scale-out's ruler: `count` bare oidc-provider processes behind a private HAProxy, pinned exactly as
 * the Kapı processes of prepareScaleTarget (core 1, or the second on core 0 with --scale-cores=spread).
 * Each keeps its tokens in its own memory, which client_credentials does not need to share.
 */
async function prepareBareScaleTarget(key: TargetKey, count: number): Promise<Target> {
  const { ports, proxy, issuer, rp } = await proxyFor(key, count);
  const processes: ServerProcess[] = [];
  for (const [i, port] of ports.entries()) {
    const server = await startServer({
      name: `${LABEL[key]} #${i + 1}`,
      script: 'bench/bare-provider.ts',
      port,
      core: scaleCore(i),
      nodeFlags: [...SERVER_NODE_FLAGS],
      env: bareEnv(port, issuer),
    });
    cleanups.push({ what: `stop ${server.name}`, run: () => server.stop() });
    processes.push(server);
  }
  return { key, server: combined(LABEL[key], issuer, processes), env: {}, rp, refreshPool: [], windows: [], proxy, processes };
}

/** Several server processes seen as one: probes summed (the first process's clock and latencies). */
function combined(name: string, url: string, processes: ServerProcess[]): ServerProcess {
  const add = (a: Record<string, number>, b: Record<string, number>) => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    name,
    pid: processes[0]!.pid,
    url,
    output: () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
    async probe(options) {
      const all = await Promise.all(processes.map((p) => p.probe(options)));
      return all.slice(1).reduce(
        (sum, p) => ({
          ...sum,
          redis: sum.redis + p.redis,
          sql: sum.sql + p.sql,
          txn: sum.txn + p.txn,
          cpuMicros: sum.cpuMicros + p.cpuMicros,
          switchesVoluntary: sum.switchesVoluntary + p.switchesVoluntary,
          switchesInvoluntary: sum.switchesInvoluntary + p.switchesInvoluntary,
          mainThreadMicros: sum.mainThreadMicros + p.mainThreadMicros,
          eluActive: sum.eluActive + p.eluActive,
          eluIdle: sum.eluIdle + p.eluIdle,
          rss: sum.rss + p.rss,
          heapUsed: sum.heapUsed + p.heapUsed,
          sqlByText: add(sum.sqlByText, p.sqlByText),
          redisByName: add(sum.redisByName, p.redisByName),
        }),
        all[0]!,
      );
    },
    rssKb: () => processes.reduce((sum, p) => sum + p.rssKb(), 0),
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}
