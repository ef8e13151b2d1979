// Part of `npm run bench` (bench/run.ts): how a scenario is measured (warm-up, interleaved runs, CPU and
// storage calls read from the server around each run, runs redone when other work disturbed them).

import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { keepAliveAgent, request } from './lib/http.js';
import type { ProbeSample } from './lib/servers.js';
import { fmt, median, medianRange, percentile } from './lib/stats.js';
import { storagePids } from './lib/storage-placement.js';
import { RUNS, SECONDS, WARMUP, CONNECTIONS, type TargetKey, type ScenarioKey, LABEL, TITLE, log, sleep } from './options.js';
import { type Run, setResult, runState } from './results.js';
import type { Target } from './targets.js';

export interface Outcome {
  ops: number;
  errors: number;
  seconds: number;
  latencies?: number[]; // ms, for percentiles
  p50?: number;
  p99?: number;
  lastError?: string;
  extra?: Record<string, number>;
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat, NaN where there is none. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return (f.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / 100; // USER_HZ
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by the Postgres and Redis server processes (from /proc/<pid>/stat). */
export function storageCpuSeconds(): number {
  let total = 0;
  for (const pid of storagePids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
}

// The generator's own event-loop delay: an answer read late because this process was busy (or its core
// was taken by Postgres and Redis) counts as latency in scenario 5 although the server was not slow.
export const generatorLoop = monitorEventLoopDelay({ resolution: 5 });
generatorLoop.enable();
/** The generator's loop delay since the previous call, in ms (p99, max); resets it. */
export function takeGeneratorLoopDelay(): { p99: number; max: number } {
  const out = { p99: generatorLoop.percentile(99) / 1e6, max: generatorLoop.max / 1e6 };
  generatorLoop.reset();
  return out;
}

export async function snapshot(
  target: Target,
): Promise<{ probe: ProbeSample; gen: number; busy: number; storage: number; proxy: number; at: number; generatorLoop: { p99: number; max: number } }> {
  const probe = await target.server.probe();
  const c = process.cpuUsage();
  // The scale-out targets' HAProxy: its CPU is neither Kapı's nor other people's work.
  const proxy = target.proxy?.cpuSeconds() ?? 0;
  return {
    probe,
    gen: c.user + c.system,
    busy: machineBusySeconds(),
    storage: storageCpuSeconds(),
    proxy,
    at: performance.now(),
    generatorLoop: takeGeneratorLoopDelay(),
  };
}

/** Median (min–max) over runs of one of their `extra` figures, skipping runs that lack it. */
export function extraRange(runs: Run[], key: string): string {
  return medianRange(runs.map((x) => x.extra?.[key] ?? NaN).filter(Number.isFinite), 1);
}

/** Scenario 5's figures of where an answer's time went, for one run (see probe.mjs). */
export function latencySplit(probe: ProbeSample, generatorLoop: { p99: number; max: number }, prefix = ''): Record<string, number> {
  const l = probe.latencies;
  return {
    [`${prefix}heldP50`]: l.probeHeldP50,
    [`${prefix}heldP99`]: l.probeHeldP99,
    [`${prefix}heldMax`]: l.probeHeldMax,
    [`${prefix}serverLoopP99`]: l.loopDelayP99,
    [`${prefix}serverLoopMax`]: l.loopDelayMax,
    [`${prefix}generatorLoopP99`]: generatorLoop.p99,
    [`${prefix}generatorLoopMax`]: generatorLoop.max,
    [`${prefix}gcMax`]: l.gcMax,
    [`${prefix}gcMajor`]: l.gcMajor,
    [`${prefix}gcMajorMax`]: l.gcMajorMax,
  };
}

export function mixDelta(after: Record<string, number>, before: Record<string, number>, ops: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d / ops;
  }
  return out;
}

/**
 * Other people's work on this machine skews a run. Before each run, wait (within a budget for the
 * whole benchmark) until the machine is nearly idle: less than 0.35 of a core busy over half a second.
 */
export const NOISE = 0.3; // cores of other work that spoil a run
export async function waitForQuiet(): Promise<void> {
  for (;;) {
    const b0 = machineBusySeconds();
    const s0 = storageCpuSeconds();
    await sleep(500);
    const busy = (machineBusySeconds() - b0 - (storageCpuSeconds() - s0)) / 0.5;
    if (!(busy > NOISE)) return;
    if (runState.quietBudget <= 0) {
      runState.noisyRuns++;
      return;
    }
    runState.quietBudget -= 0.5;
    runState.quietWaited += 0.5;
  }
}

export type Body = (target: Target, seconds: number) => Promise<Outcome>;

/**
 * Warm-up, then RUNS rounds; in each round every target runs once, one after the other, so that run i
 * of Kapı and run i of bare see the same machine (the ratios pair them). Storage calls, CPU and
 * event-loop use are read from the server around each run.
 */
export async function measure(scenario: ScenarioKey, targets: Target[], body: Body, options: { warmup?: number } = {}): Promise<void> {
  const runs = new Map<TargetKey, Run[]>(targets.map((t) => [t.key, []]));
  const failed = new Map<TargetKey, string>();
  const fail = (t: Target, err: unknown) => {
    const message = (err as Error).message.split('\n').slice(0, 6).join(' | ');
    failed.set(t.key, message);
    log(`  ${LABEL[t.key].padEnd(26)} ${TITLE[scenario]}: FAILED: ${message}`);
  };
  const warm = options.warmup ?? WARMUP;
  for (const t of targets) {
    if (warm <= 0) continue;
    try {
      const w = await body(t, warm);
      if (w.ops === 0) throw new Error(`nothing succeeded during the warm-up${w.lastError ? `: ${w.lastError}` : ''}`);
    } catch (err) {
      fail(t, err);
    }
  }
  for (let i = 0; i < (runState.profiling ? 1 : RUNS) && !runState.interrupted; i++) {
    for (const t of targets) {
      if (failed.has(t.key) || runState.interrupted) continue;
      try {
        let retried = 0;
        let before: Awaited<ReturnType<typeof snapshot>>;
        let out: Outcome;
        let after: Awaited<ReturnType<typeof snapshot>>;
        for (;;) {
          await waitForQuiet();
          before = await snapshot(t);
          out = await body(t, SECONDS);
          after = await snapshot(t);
          const w = (after.at - before.at) / 1000;
          const others =
            (after.busy -
              before.busy -
              (after.storage - before.storage) -
              (after.proxy - before.proxy) -
              (after.probe.cpuMicros - before.probe.cpuMicros) / 1e6 -
              (after.gen - before.gen) / 1e6) /
            w;
          // Other people's work ran during this run: do it again (twice at most, within the budget).
          if (others > NOISE && retried < 2 && runState.quietBudget > 0 && !runState.interrupted) {
            retried++;
            runState.quietBudget -= SECONDS;
            continue;
          }
          break;
        }
        t.windows.push([before.probe.monoMicros, after.probe.monoMicros]);
        const wall = (after.at - before.at) / 1000;
        if (out.ops === 0) throw new Error(`nothing succeeded${out.lastError ? `: ${out.lastError}` : ''}`);
        const sorted = out.latencies?.sort((a, b) => a - b);
        const kapiCpu = (after.probe.cpuMicros - before.probe.cpuMicros) / 1e6 / wall;
        const genCpu = (after.gen - before.gen) / 1e6 / wall;
        const eluActive = after.probe.eluActive - before.probe.eluActive;
        const eluIdle = after.probe.eluIdle - before.probe.eluIdle;
        runs.get(t.key)!.push({
          throughput: out.ops / out.seconds,
          ops: out.ops,
          errors: out.errors,
          p50: out.p50 ?? (sorted ? percentile(sorted, 50) : undefined),
          p99: out.p99 ?? (sorted ? percentile(sorted, 99) : undefined),
          kapiCpu,
          switchesVoluntaryPerOp: (after.probe.switchesVoluntary - before.probe.switchesVoluntary) / out.ops,
          switchesInvoluntaryPerOp: (after.probe.switchesInvoluntary - before.probe.switchesInvoluntary) / out.ops,
          mainCpu: (after.probe.mainThreadMicros - before.probe.mainThreadMicros) / 1e6 / wall,
          elu: eluActive / (eluActive + eluIdle),
          genCpu,
          storageCpu: (after.storage - before.storage) / wall,
          ...(t.proxy ? { proxyCpu: (after.proxy - before.proxy) / wall } : {}),
          otherCpu: (after.busy - before.busy) / wall - kapiCpu - genCpu - (after.storage - before.storage) / wall - (after.proxy - before.proxy) / wall,
          ...(retried ? { retried } : {}),
          redisPerOp: (after.probe.redis - before.probe.redis) / out.ops,
          sqlPerOp: (after.probe.sql - before.probe.sql) / out.ops,
          txnPerOp: (after.probe.txn - before.probe.txn) / out.ops,
          sqlMix: mixDelta(after.probe.sqlByText, before.probe.sqlByText, out.ops),
          redisMix: mixDelta(after.probe.redisByName, before.probe.redisByName, out.ops),
          ...(out.extra || scenario === 'token-under-login'
            ? { extra: { ...out.extra, ...(scenario === 'token-under-login' ? latencySplit(after.probe, after.generatorLoop) : {}) } }
            : {}),
        });
        if (out.errors > 0) log(`    ${LABEL[t.key]} run ${i + 1}: ${out.errors} failed (${out.lastError ?? 'non-2xx'})`);
        if (scenario === 'token-under-login') {
          const x = runs.get(t.key)!.at(-1)!.extra ?? {};
          const slow = after.probe.latencies.slowHeld;
          log(
            `    ${LABEL[t.key]} run ${i + 1}: p99 ${fmt(out.p99, 1)} ms; held by the server p50 ${fmt(x.heldP50, 1)}, p99 ${fmt(x.heldP99, 1)}, max ${fmt(x.heldMax, 1)}; loop delay p99/max: server ${fmt(x.serverLoopP99, 1)}/${fmt(x.serverLoopMax, 1)}, generator ${fmt(x.generatorLoopP99, 1)}/${fmt(x.generatorLoopMax, 1)}, sent late by ≤ ${fmt(x.sendLagMax, 1)}; server GC pause max ${fmt(x.gcMax, 1)} (${fmt(x.gcMajor)} major, longest ${fmt(x.gcMajorMax, 1)}); logins ${fmt(x.loginsPerSecond, 1)}/s${slow.length ? `; held > 20 ms at (s into the run, ms): ${slow.map((h) => `${fmt((h.at - before.probe.at) / 1000, 1)}/${fmt(h.ms, 0)}`).join(' ')}` : ''}`,
          );
        }
      } catch (err) {
        fail(t, err);
      }
    }
  }
  for (const t of targets) {
    const r = runs.get(t.key)!;
    const error = failed.get(t.key);
    setResult(scenario, t.key, error ? { runs: r, error } : { runs: r });
    if (error || !r.length) continue;
    const ex = (key: string) => extraRange(r, key);
    const shown =
      scenario === 'token-under-login'
        ? `p50 ${medianRange(
            r.map((x) => x.p50!),
            1,
          )} ms, p99 ${medianRange(
            r.map((x) => x.p99!),
            1,
          )} ms (held by the server: p99 ${ex('heldP99')}, max ${ex('heldMax')}; loop delay p99/max: server ${ex('serverLoopP99')}/${ex('serverLoopMax')}, generator ${ex('generatorLoopP99')}/${ex('generatorLoopMax')}; alone: p99 ${ex('idleP99')}, held p99 ${ex('idleheldP99')}, server loop max ${ex('idleserverLoopMax')}, generator loop max ${ex('idlegeneratorLoopMax')})`
        : medianRange(
            r.map((x) => x.throughput),
            r[0]!.throughput < 100 ? 1 : 0,
          );
    log(
      `  ${LABEL[t.key].padEnd(26)} ${TITLE[scenario].padEnd(58)} ${shown}  [server CPU ${fmt(median(r.map((x) => x.kapiCpu * 100)))}%, event loop ${fmt(median(r.map((x) => x.elu * 100)))}%, generator ${fmt(median(r.map((x) => x.genCpu * 100)))}%, Postgres+Redis ${fmt(median(r.map((x) => x.storageCpu * 100)))}%, other processes ${fmt(median(r.map((x) => x.otherCpu * 100)))}%${r.some((x) => x.retried) ? `, ${r.reduce((a, x) => a + (x.retried ?? 0), 0)} run(s) redone` : ''}]`,
    );
  }
}

// Throughput only: autocannon's own rate option sends each second's share in a burst, so scenario 5's
// fixed-rate probe is bench/lib/paced.ts instead.
export async function cannon(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  seconds: number,
  connections = CONNECTIONS,
): Promise<Outcome> {
  const started = performance.now();
  const r = await autocannon({
    url,
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
  return {
    ops: r['2xx'],
    errors: r.non2xx + r.errors + r.timeouts,
    seconds: r.duration || (performance.now() - started) / 1000,
    p50: r.latency.p50,
    p99: r.latency.p99,
    lastError: r.non2xx ? `${r.non2xx} non-2xx answers` : r.errors ? `${r.errors} connection errors` : undefined,
  };
}

/** One request outside the load, to fail a scenario early with the server's own words. */
export async function check(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  accept: (body: string) => boolean,
): Promise<void> {
  const agent = keepAliveAgent(1);
  try {
    const res = await request(agent, url, init);
    if (res.status !== 200 || !accept(res.body))
      throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}: ${res.body.slice(0, 300)}`);
  } finally {
    agent.destroy();
  }
}
