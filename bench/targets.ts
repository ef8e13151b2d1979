// Part of `npm run bench` (bench/run.ts): the servers measured (Kapı on Postgres + Redis, Kapı embedded,
// bare oidc-provider), each in its own process on its own database, Redis prefix or data directory.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { type RelyingParty } from './lib/login.js';
import { freePort, ROOT, startServer, type ServerProcess } from './lib/servers.js';
import { adminQuery, createDatabase, deleteRedisPrefix, randomSuffix } from './lib/storage.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';
import { CALLBACK, CLIENT_ID, CLIENT_SECRET, registerBenchClient, RESOURCES } from './lib/kapi-setup.js';
import { option, type TargetKey, LABEL } from './options.js';
import { cleanups } from './cleanup.js';
import { type Outcome } from './measure.js';

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
  windows: Array<[number, number]>; // measured runs, CLOCK_MONOTONIC µs of the server
}

export const COOKIE_KEYS = `bench-cookie-key-${randomSuffix()}-aaaaaaaaaaaaaaaa,bench-cookie-key-2-bbbbbbbbbbbbbbbb`;
export const NICE_POOL = option('nice-pool') === undefined ? undefined : Number(option('nice-pool'));
export const KAPI_ENV = Object.fromEntries((option('kapi-env') ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
export const KAPI_NODE_FLAGS = (option('kapi-node-flags') ?? '').split(',').filter(Boolean);
export const EXPERIMENTS = (option('experiment') ?? '').split(',').filter(Boolean);
if (EXPERIMENTS.length) KAPI_ENV.BENCH_EXPERIMENTS = EXPERIMENTS.join(',');

export async function prepareTarget(key: TargetKey, redis: Redis | undefined, cpuProfDir?: string): Promise<Target> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const rp: RelyingParty = { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK };
  if (key === 'bare') {
    const server = await startServer({
      name: 'bare oidc-provider', script: 'bench/bare-provider.ts', port, core: 1, cpuProfDir,
      // The node flags of Kapı's `npm start` too, so that the ratios compare code, not runtime settings.
      nodeFlags: [...SERVER_NODE_FLAGS],
      env: { PORT: String(port), BARE_ISSUER: issuer, BARE_CLIENT_ID: CLIENT_ID, BARE_CLIENT_SECRET: CLIENT_SECRET, BARE_CALLBACK: CALLBACK, BARE_RESOURCES: JSON.stringify(RESOURCES) },
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
  if (key === 'kapi-pg') {
    const db = await createDatabase();
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
  const server = await startServer({ name: LABEL[key], script: 'src/main.ts', port, core: 1, cpuProfDir, env, nicePool: NICE_POOL, nodeFlags: [...SERVER_NODE_FLAGS, ...KAPI_NODE_FLAGS], logFile });
  cleanups.push({ what: `stop ${LABEL[key]}`, run: () => server.stop() });
  return { key, server, env, redisPrefix, databaseUrl, rp, refreshPool: [], windows: [] };
}
