// `npm run bench`: Kapı on Postgres + Redis, Kapı on the embedded default (PGlite, process memory) and a
// bare oidc-provider 9, side by side on this machine (issue 8). Each server runs in its own process,
// pinned to core 1; this process (the load generator) pins itself to core 0. Prints a table and writes
// docs/performance.md. Options:
//   --quick                 one short run per scenario (a smoke test of the benchmark itself)
//   --targets=a,b           kapi-pg, kapi-embedded, bare, kapi-proxy-1, kapi-proxy-2, kapi-pg-grown (default: all;
//                           the proxy ones are one and two Kapı processes behind HAProxy, measured in cc-opaque,
//                           refresh and login only, for the Scale-out section; kapi-pg-grown is Kapı on a copy of
//                           the data-growth template (bench/data-growth/), measured beside kapi-pg in login,
//                           refresh and the growth scenarios only, for the Data growth section)
//   --scale-cores=same|spread  kapi-proxy-2's processes both on core 1 (same CPU budget as one process, the
//                           default) or the second on core 0 beside the generator and storage
//   --only=s1,s2            discovery, jwks, cc-opaque, cc-jwt, refresh, login, token-under-login, memory, and the
//                           data-growth ones: history, institutions, registrar-lookup, registrar-history, retention
//   --growth-scale=X        experiment: the data-growth template at X of its size (0.01 to work on the scenarios)
//   --runs=N --seconds=S --warmup=S   runs per scenario, seconds per run, warm-up seconds
//   --sessions=10000,100000 memory scenario sizes
//   --no-profile            skip the CPU profile of the weakest Kapı scenario
//   --no-write              leave docs/performance.md alone (the report is always in bench/results/); a run with
//                           --only, --targets or any experiment option below never writes it, except that a run
//                           measuring both kapi-proxy targets in cc-opaque, refresh and login replaces the
//                           page's Scale-out section (bench/report-scale.ts)
//   --kapi-env=K=V,...      extra environment for the Kapı servers (e.g. KAPI_ARGON2_CONCURRENCY=1)
//   --quiet-wait=S          seconds the benchmark may spend in all waiting for an idle machine and redoing disturbed runs (90)
//   --profile               profile missed targets in --quick mode too
//   --profile-scenarios=a,b profile these Kapı scenarios whether or not they miss their targets
//   --experiment=a,b        experiment: patch Kapı at run time (bench/lib/experiments.mjs), e.g. client-cache;
//                           async-commit sets synchronous_commit=off on the benchmark database
//   --nice-pool=N           experiment: renice Kapı's libuv pool threads (argon2, signing) to N
//   --kapi-node-flags=a,b   experiment: extra node/V8 flags for the Kapı servers (e.g. --trace-gc); what they
//                           print goes to bench/results/<target>.log
//   --refresh-chains=N      concurrent refresh chains (32)
//   --login-rate=N          scenario 5 starts N logins/s instead of 80% of the measured maximum (to compare builds at one load)
//   --storage-core=0|shared where Postgres and Redis run while measured: moved to core 0 beside the load
//                           generator and put back at the end (default), or left on both cores
//
// The parts: options.ts (this command line), targets.ts (the servers), scenarios.ts, measure.ts,
// results.ts, report.ts (docs/performance.md), report-scale.ts (its Scale-out section), report-growth.ts (its
// Data growth section), data-growth/ (the template, its scenarios, the EXPLAIN check), profile-run.ts, cleanup.ts.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { killAll, pinSelf, ROOT } from './lib/servers.js';
import { pinStorage, storageLeftShared } from './lib/storage-placement.js';
import { redisClient, tableStats } from './lib/storage.js';
import {
  argv,
  RUNS,
  SECONDS,
  WARMUP,
  PROFILE,
  PROFILE_ALWAYS,
  WRITE,
  WRITE_SCALE_SECTION,
  STORAGE_CORE,
  ON_POSTGRES,
  type ScenarioKey,
  TARGETS,
  SCENARIOS,
  LABEL,
  TITLE,
  log,
  sleep,
} from './options.js';
import { cleanups, cleanupAll } from './cleanup.js';
import { results, setResult, profiles, finalRss, finalMemory, med, pairedRatio, runState } from './results.js';
import { memoryMapLines } from './lib/memory-lines.js';
import { type Target, NICE_POOL, KAPI_ENV, prepareTarget } from './targets.js';
import { runScenario } from './scenarios.js';
import { machine, render } from './report.js';
import { replaceScaleSection, scaleSection, scaleMeasured } from './report-scale.js';
import { replaceSection, sectionOf, SOAK_MARKERS } from './lib/doc-sections.js';
import { EVERYDAY_MARKERS } from './everyday/report.js';
import { profileScenarios } from './profile-run.js';
import { GROWTH_MARKERS, growthMeasured, growthSection, seqScanFailures } from './report-growth.js';
import { explainAll } from './data-growth/explain.js';
import { closeGrowthStates, generatorSamples } from './data-growth/scenarios.js';

async function main(): Promise<void> {
  const started = new Date();
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const pinned = pinSelf(0);
  const info = machine();
  log(`Kapı benchmark: ${info.cpu}, ${info.memory}, Node ${info.node}, commit ${info.commit}, load ${info.load}`);
  log(
    `Servers pinned to core 1, load generator (pid ${process.pid}) ${pinned ? 'pinned to core 0' : 'not pinned (taskset missing)'}; ${RUNS} × ${SECONDS} s runs after ${WARMUP} s warm-up, targets interleaved run by run.`,
  );
  if (Object.keys(KAPI_ENV).length) log(`Kapı environment additions: ${JSON.stringify(KAPI_ENV)}`);
  if (NICE_POOL !== undefined) log(`Experiment: Kapı's libuv pool threads reniced to ${NICE_POOL}`);
  let redis: Redis | undefined;
  if (TARGETS.some(ON_POSTGRES)) {
    if (STORAGE_CORE !== 'shared') {
      const placement = pinStorage(Number(STORAGE_CORE));
      cleanups.push({ what: 'put Postgres and Redis back on their cores', run: async () => placement.restore() });
      runState.storagePlacement = placement;
    } else {
      runState.storagePlacement = storageLeftShared('were left on both cores (--storage-core=shared)');
    }
    log(runState.storagePlacement.description);
    redis = redisClient();
    cleanups.push({ what: 'close Redis', run: async () => redis!.disconnect() });
  }
  const targets: Target[] = [];
  for (const key of TARGETS) {
    if (runState.interrupted) break;
    try {
      targets.push(await prepareTarget(key, redis));
      log(`  started ${LABEL[key]}`);
    } catch (err) {
      log(`  ${LABEL[key]} could not start: ${(err as Error).message}`);
      for (const s of SCENARIOS) setResult(s, key, { runs: [], error: `server did not start: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  const grown = targets.find((t) => t.key === 'kapi-pg-grown');
  if (grown) {
    runState.growth = grown.growth;
    // From here on the grown server keeps the first statement of each shape (the EXPLAIN below).
    await grown.server.probe({ samples: 'start' });
  }
  for (const scenario of SCENARIOS) {
    if (runState.interrupted) break;
    log(`\n${TITLE[scenario]}`);
    try {
      await runScenario(scenario, targets, redis);
    } catch (err) {
      log(`  FAILED: ${(err as Error).message.split('\n').slice(0, 4).join(' | ')}`);
      for (const t of targets) if (!results[scenario]?.[t.key]) setResult(scenario, t.key, { runs: [], error: (err as Error).message.split('\n')[0]! });
    }
  }
  if (grown?.databaseUrl && !runState.interrupted) {
    try {
      const taken = await grown.server.probe({ samples: 'take' });
      runState.explain = await explainAll(grown.databaseUrl, [...(taken.samples ?? []), ...generatorSamples(grown)]);
      const failures = seqScanFailures();
      log(`\nEXPLAIN on the grown database: ${runState.explain.length} statements, ${failures.length} with a sequential scan of a table over 10,000 rows`);
      for (const f of failures) log(`  SEQ SCAN ${f.seqScans.map((q) => `${q.table} (${Math.round(q.rows)} rows)`).join(', ')}: ${f.statement}`);
    } catch (err) {
      log(`  EXPLAIN failed: ${(err as Error).message}`);
    }
  }
  await closeGrowthStates();
  for (const t of targets) {
    finalRss[t.key] = t.server.rssKb();
    try {
      const asIs = (await t.server.probe({ memory: true })).memoryMap!;
      const afterGc = (await t.server.probe({ gc: true, memory: true })).memoryMap!;
      const afterLastResortGc = (await t.server.probe({ gc: 'last-resort', memory: true })).memoryMap!;
      finalMemory[t.key] = { asIs, afterGc, afterLastResortGc };
      log(`\n${LABEL[t.key]}: where the RSS is at the end (MiB, as it is → after a full collection)`);
      log(memoryMapLines(asIs, afterGc));
      log(`  after V8's last-resort collection (a diagnosis: it also empties V8's pool of free pages): RSS ${afterLastResortGc.rssMiB.toFixed(1)}`);
    } catch (err) {
      log(`  memory map of ${LABEL[t.key]}: ${(err as Error).message}`);
    }
    await t.server.stop();
    if (t.key === 'kapi-pg' && t.databaseUrl) {
      await sleep(500);
      runState.pgTables = await tableStats(t.databaseUrl).catch((err: unknown) => {
        log(`  pg_stat_user_tables: ${(err as Error).message}`);
        return [];
      });
    }
  }

  // Profile the Kapı scenarios that miss their target (the weakest first, at most three; one run each).
  if (PROFILE && TARGETS.includes('kapi-pg') && !runState.interrupted) {
    const missed: Array<[ScenarioKey, number]> = [];
    const score = (s: ScenarioKey, goal: number) => {
      const x = med(s, 'kapi-pg');
      const r = pairedRatio(s, 'kapi-pg');
      if (!Number.isFinite(x)) return;
      const worst = Math.min(x / goal, Number.isFinite(r) ? r / 0.6 : Infinity);
      if (worst < 1) missed.push([s, worst]);
    };
    score('cc-opaque', 3000);
    score('cc-jwt', 3000);
    score('refresh', 1000);
    const logins = med('login', 'kapi-pg');
    if (Number.isFinite(logins) && logins < 25) missed.push(['login', logins / 25]);
    const p99 = med('token-under-login', 'kapi-pg', (r) => r.p99);
    if (Number.isFinite(p99) && p99 >= 25) missed.push(['token-under-login', 25 / p99]);
    missed.sort((a, b) => a[1] - b[1]);
    const chosen = PROFILE_ALWAYS.length ? PROFILE_ALWAYS : missed.slice(0, 3).map(([s]) => s);
    if (chosen.length) {
      try {
        await profileScenarios(chosen, redis);
      } catch (err) {
        log(`  profile failed: ${(err as Error).message}`);
      }
    }
  }

  const seconds = (Date.now() - started.getTime()) / 1000;
  const rendered = render(info, started, seconds, command);
  const report = growthMeasured() ? replaceSection(rendered, GROWTH_MARKERS, growthSection(command, started)) : rendered;
  log(
    '\n' +
      report
        .split('\n')
        .filter((l) => l.startsWith('|') || l.startsWith('#'))
        .join('\n'),
  );
  if (WRITE) {
    // The Soak section is written by `npm run soak`, the Everyday wait by `npm run bench:everyday`: a full benchmark keeps them.
    const before = await readFile(path.join(ROOT, 'docs', 'performance.md'), 'utf8').catch(() => '');
    let page = report;
    for (const markers of [SOAK_MARKERS, EVERYDAY_MARKERS]) {
      const kept = sectionOf(before, markers);
      if (kept) page = replaceSection(page, markers, kept);
    }
    await writeFile(path.join(ROOT, 'docs', 'performance.md'), page);
    log('\nWrote docs/performance.md');
  } else if (WRITE_SCALE_SECTION && growthMeasured()) {
    // A run narrowed to kapi-pg and kapi-pg-grown: only the Data growth section of the page is replaced.
    const file = path.join(ROOT, 'docs', 'performance.md');
    await writeFile(file, replaceSection(await readFile(file, 'utf8'), GROWTH_MARKERS, growthSection(command, started)));
    log('\nWrote the Data growth section of docs/performance.md');
  } else if (WRITE_SCALE_SECTION && scaleMeasured()) {
    // A run narrowed to the scale-out targets: only that section of the page is replaced.
    const file = path.join(ROOT, 'docs', 'performance.md');
    await writeFile(file, replaceScaleSection(await readFile(file, 'utf8'), scaleSection(info, started, seconds, command)));
    log('\nWrote the Scale-out section of docs/performance.md');
  }
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench', 'results', 'performance.md'), report);
  await writeFile(
    path.join(ROOT, 'bench', 'results', 'latest.json'),
    JSON.stringify(
      { started, info, results, pgTables: runState.pgTables, profiles, finalRss, finalMemory, growth: runState.growth, explain: runState.explain },
      null,
      2,
    ),
  );
  // DESIGN.md, "Performance": a sequential scan of a table over 10,000 rows on the measured paths fails the benchmark.
  if (seqScanFailures().length) {
    log(
      `\nFAILED: ${seqScanFailures().length} statement(s) on the measured paths scan a table over 10,000 rows sequentially (docs/performance.md, "Data growth")`,
    );
    process.exitCode = 1;
  }
}

main()
  .catch((err: unknown) => {
    log(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    killAll();
    // Stray keep-alive sockets or timers must not hold the process.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  });
