// `npm run bench:profile-compare -- --only=cc-opaque,login --seconds=6`: where Kapı's CPU per operation
// goes beside the bare provider's (issue 27). Starts Kapı (Postgres + Redis) and bare oidc-provider with
// node --cpu-prof, runs each scenario once on each (after the usual warm-up), stops them, and prints for
// every scenario the main thread's CPU per operation (µs) by area (Kapı's own code, oidc-provider, koa,
// ioredis, node:http, GC, ...) and by function, Kapı beside bare. The profiles are cut to the measured
// runs (start-up and warm-up left out) and stay in bench/profiles/. Takes the options of `npm run bench`
// (bench/options.ts) that make sense here: --only, --seconds, --warmup, --kapi-env, --kapi-node-flags. The figures are CPU profiles: shares, not the benchmark's throughput (no lock needed).

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pinSelf, ROOT } from './lib/servers.js';
import { redisClient } from './lib/storage.js';
import { summariseProfile, type ProfileSummary, type Ranked } from './lib/profile.js';
import { fmt } from './lib/stats.js';
import { type ScenarioKey, type TargetKey, SCENARIOS, TITLE, log } from './options.js';
import { cleanupAll, cleanups } from './cleanup.js';
import { results, runState } from './results.js';
import { prepareTarget } from './targets.js';
import { runScenario } from './scenarios.js';

const TARGET_KEYS: TargetKey[] = ['kapi-pg', 'bare'];

interface Measured {
  summary: ProfileSummary;
  ops: number;
  /** CPU time per operation measured by the kernel (µs): the whole process, and its main thread alone. */
  cpuPerOp: number;
  mainPerOp: number;
}

async function profileTarget(key: TargetKey, scenarios: ScenarioKey[], redis: ReturnType<typeof redisClient>): Promise<Map<ScenarioKey, Measured>> {
  const dir = path.join(ROOT, 'bench', 'profiles');
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  const target = await prepareTarget(key, redis, dir);
  const windows = new Map<ScenarioKey, { window: Array<[number, number]>; ops: number; cpuPerOp: number; mainPerOp: number }>();
  runState.profiling = true; // one measured run per scenario
  try {
    for (const s of scenarios) {
      const from = target.windows.length;
      await runScenario(s, [target], redis);
      const run = results[s]?.[key]?.runs[0];
      const perOp = (cores: number | undefined) => (run && cores !== undefined ? (cores / run.throughput) * 1e6 : Number.NaN);
      windows.set(s, { window: target.windows.slice(from), ops: run?.ops ?? Number.NaN, cpuPerOp: perOp(run?.kapiCpu), mainPerOp: perOp(run?.mainCpu) });
    }
  } finally {
    runState.profiling = false;
    await target.server.stop();
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) throw new Error(`no .cpuprofile was written for ${key}`);
  log(`  ${key}: bench/profiles/${file}`);
  // The measured windows beside the profile, for a closer look at it afterwards (scenario → windows, operations).
  await writeFile(path.join(dir, `${file}.windows.json`), JSON.stringify(Object.fromEntries(windows)));
  const out = new Map<ScenarioKey, Measured>();
  for (const [s, w] of windows) {
    if (!w.window.length) continue;
    out.set(s, { summary: await summariseProfile(path.join(dir, file), w.window, 40), ops: w.ops, cpuPerOp: w.cpuPerOp, mainPerOp: w.mainPerOp });
  }
  return out;
}

/** One table: rows by name, a column of µs per operation for each target, and Kapı's extra. */
function table(title: string, pick: (m: Measured) => Ranked[], kapi: Measured, bare: Measured | undefined, rows = 18): void {
  const perOp = (m: Measured | undefined, name: string) => {
    const r = m && pick(m).find((x) => x.name === name);
    return r && m ? (r.ms * 1000) / m.ops : 0;
  };
  const names = new Set([
    ...pick(kapi)
      .slice(0, rows)
      .map((r) => r.name),
    ...(bare
      ? pick(bare)
          .slice(0, 6)
          .map((r) => r.name)
      : []),
  ]);
  log(`  ${title} (µs per operation: Kapı, bare, Kapı's share of its own self time)`);
  const sorted = [...names].sort((a, b) => perOp(kapi, b) - perOp(bare, b) - (perOp(kapi, a) - perOp(bare, a)));
  for (const name of sorted) {
    const k = perOp(kapi, name);
    const share = pick(kapi).find((x) => x.name === name)?.share ?? 0;
    log(`    ${fmt(k, 1).padStart(7)} ${fmt(perOp(bare, name), 1).padStart(7)} ${fmt(share * 100, 1).padStart(5)}%  ${name}`);
  }
}

async function main(): Promise<void> {
  pinSelf(0);
  // Postgres and Redis are left where they are: moving them (as the benchmark does) would disturb a
  // benchmark another process runs under the lock, and a profile's shares do not need it.
  const redis = redisClient();
  cleanups.push({ what: 'close Redis', run: async () => redis.disconnect() });
  const scenarios = SCENARIOS;
  const byTarget = new Map<TargetKey, Map<ScenarioKey, Measured>>();
  for (const key of TARGET_KEYS) byTarget.set(key, await profileTarget(key, scenarios, redis));
  for (const s of scenarios) {
    const kapi = byTarget.get('kapi-pg')?.get(s);
    const bare = byTarget.get('bare')?.get(s);
    if (!kapi) continue;
    log(`\n${TITLE[s]}`);
    for (const [name, m] of [
      ['Kapı', kapi],
      ['bare', bare],
    ] as const)
      if (m)
        log(
          `  ${name}: ${fmt(m.ops)} operations; CPU per operation (kernel): ${fmt(m.cpuPerOp, 1)} µs, main thread ${fmt(m.mainPerOp, 1)} µs; the profile's samples: ${fmt((m.summary.totalMs * 1000) / m.ops, 1)} µs (wall-clock sampling: a thread waiting for its core counts as busy)`,
        );
    table('Self time by area', (m) => m.summary.packages, kapi, bare);
    table('Self time by function', (m) => m.summary.functions, kapi, bare, 30);
    table('Inclusive (synchronous) time by area', (m) => m.summary.inclusivePackages, kapi, bare);
    table('Inclusive (synchronous) time by Kapı function', (m) => m.summary.inclusiveKapi, kapi, undefined, 20);
  }
}

try {
  await main();
} finally {
  await cleanupAll();
}
