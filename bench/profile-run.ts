// Part of `npm run bench` (bench/run.ts): a CPU profile of the Kapı scenarios that miss their targets.

import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { summariseProfile } from './lib/profile.js';
import { ROOT } from './lib/servers.js';
import { fmt } from './lib/stats.js';
import { type ScenarioKey, TITLE, log } from './options.js';
import { results, profiles, med, runState } from './results.js';
import { prepareTarget } from './targets.js';
import { runScenario } from './scenarios.js';

/**
 * Profiles Kapı (Postgres + Redis) with node --cpu-prof during the given scenarios: a fresh server, one
 * run each, and the profile cut to the measured runs (the start-up and the warm-up are left out).
 */
export async function profileScenarios(scenarios: ScenarioKey[], redis: Redis | undefined): Promise<void> {
  const dir = path.join(ROOT, 'bench', 'profiles');
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  log(`\nProfiling Kapı (Postgres + Redis) with --cpu-prof during: ${scenarios.map((s) => TITLE[s]).join('; ')}`);
  const saved = structuredClone(results);
  const target = await prepareTarget('kapi-pg', redis, dir);
  const windows = new Map<ScenarioKey, Array<[number, number]>>();
  runState.profiling = true;
  try {
    target.maxLogins = med('login', 'kapi-pg');
    for (const s of scenarios) {
      const from = target.windows.length;
      await runScenario(s, [target], redis);
      windows.set(s, target.windows.slice(from));
    }
  } finally {
    runState.profiling = false;
    await target.server.stop();
    // The profiled runs' own figures are not the benchmark's: put the measured ones back.
    for (const k of Object.keys(results) as ScenarioKey[]) delete results[k];
    Object.assign(results, saved);
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) throw new Error('no .cpuprofile was written');
  for (const s of scenarios) {
    const w = windows.get(s) ?? [];
    if (!w.length) continue;
    const summary = await summariseProfile(path.join(dir, file), w);
    profiles.push({ scenario: s, summary, file: path.join('bench', 'profiles', file), windows: w });
    log(`  ${TITLE[s]}: ${fmt(summary.totalMs)} ms on CPU in ${fmt(summary.windowMs)} ms. Self time by area:`);
    for (const x of summary.packages.slice(0, 6)) log(`    ${fmt(x.share * 100, 1).padStart(5)}%  ${x.name}`);
    log('  Self time by function:');
    for (const x of summary.functions.slice(0, 10)) log(`    ${fmt(x.share * 100, 1).padStart(5)}%  ${x.name}`);
    log('  Inclusive (synchronous) time by Kapı function:');
    for (const x of summary.inclusiveKapi.slice(0, 6)) log(`    ${fmt(x.share * 100, 1).padStart(5)}%  ${x.name}`);
  }
}
