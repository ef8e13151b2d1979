// Part of `npm run bench` (bench/run.ts): the "Scale-out" section of docs/performance.md (issue 22 point 3):
// one and two Kapı processes behind HAProxy, compared per CPU-second of Kapı (docs/DESIGN "Scale-out":
// below 6 cores, two processes ≥ 0.9 × one process per CPU-second; the issue's 1.8× throughput holds
// where there is a core per process besides the load generator, the storage and the proxy).

import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { replaceSection } from './lib/doc-sections.js';
import { fmt, median, medianRange } from './lib/stats.js';
import {
  RUNS,
  SECONDS,
  WARMUP,
  CONNECTIONS,
  REFRESH_CHAINS,
  LOGIN_CONCURRENCY,
  SCALE_CORES,
  SCALE_SCENARIOS,
  CONTROL_SCENARIOS,
  TITLE,
  type ScenarioKey,
} from './options.js';
import { results, runState, type Run } from './results.js';

export const SCALE_START = '<!-- scale-out:start (written by npm run bench, bench/report-scale.ts) -->';
export const SCALE_END = '<!-- scale-out:end -->';
const GOAL_PER_CPU = 0.9;
const GOAL_THROUGHPUT = 1.8;

const runsOf = (s: ScenarioKey, t: 'kapi-proxy-1' | 'kapi-proxy-2' | 'bare-proxy-1' | 'bare-proxy-2' | 'kapi-pg'): Run[] => results[s]?.[t]?.runs ?? [];
/** Operations per CPU-second of Kapı (all its processes, argon2 and signing threads included). */
const perCpu = (r: Run) => r.throughput / r.kapiCpu;

/** Run i of two processes over run i of one process (adjacent in time). */
function paired(s: ScenarioKey, pick: (r: Run) => number): number[] {
  const one = runsOf(s, 'kapi-proxy-1');
  const two = runsOf(s, 'kapi-proxy-2');
  return two.slice(0, Math.min(one.length, two.length)).map((r, i) => pick(r) / pick(one[i]!));
}

/** Both scale-out targets measured in every scale-out scenario (what a section needs to be written). */
export function scaleMeasured(): boolean {
  return SCALE_SCENARIOS.every((s) => runsOf(s, 'kapi-proxy-1').length && runsOf(s, 'kapi-proxy-2').length);
}

export interface ScaleVerdict {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function scaleVerdicts(): ScaleVerdict[] {
  return SCALE_SCENARIOS.map((s) => {
    const ratios = paired(s, perCpu);
    const m = ratios.length ? median(ratios) : NaN;
    return {
      target: `${TITLE[s].replace(/^\d+\. /, '').replace(/ \(.*\)$/, '')}: two processes ≥ ${GOAL_PER_CPU} × one per CPU-second of Kapı`,
      measured: ratios.length ? `${medianRange(ratios, 2)} ×` : 'not measured',
      met: ratios.length ? m >= GOAL_PER_CPU : undefined,
    };
  });
}

export function scaleSection(info: Record<string, string>, started: Date, seconds: number, command: string): string {
  const cores = os.cpus().length;
  const haproxy = /version (\S+)/.exec(spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  const out: string[] = [SCALE_START, '', '## Scale-out: one and two Kapı processes behind HAProxy', ''];
  if (!scaleMeasured()) {
    out.push('Not measured in this run (`--targets=kapi-proxy-1,kapi-proxy-2 --only=cc-opaque,refresh,login` measures it alone).', '', SCALE_END);
    return out.join('\n');
  }
  out.push(
    `Measured by \`${command}\` on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC (${Math.round(seconds / 60)} min; Kapı commit ${info.commit}; load average ${info.load} at the start) on ${cores} cores, ${RUNS} runs of ${SECONDS} s per scenario after a ${WARMUP} s warm-up, the one-process and two-process runs alternating (run i of each sees the same machine; the ratios pair them). Issue 22 point 3; the goal for this machine is in docs/DESIGN's "Scale-out" clarification.`,
  );
  out.push('');
  out.push(
    `- Each target is Kapı on a database and a Redis key prefix of its own, behind a private HAProxy ${haproxy} (the Debian package, \`bench/lib/haproxy.ts\`: \`balance leastconn\`, X-Forwarded-For/-Proto, Kapı started with \`KAPI_TRUST_PROXY_HOPS=1\` and the proxy's URL as issuer). The processes of one target share the database, the prefix and the secrets; logins, codes, refresh tokens and guess counters cross between them (test/drills/many-processes.test.ts).`,
  );
  out.push(
    `- ${SCALE_CORES === 'same' ? 'Every Kapı process is pinned to core 1, as the other Kapı targets: the two processes share the core the one process has, so both targets have the same CPU budget' : 'One process is pinned to core 1, as the other Kapı targets; with two, the second is pinned to core 0 (`--scale-cores=spread`), beside the load generator, Postgres, Redis and HAProxy'}. Core 0 runs the load generator, Postgres, Redis and HAProxy: on ${cores} cores there is no free core to give a second process. So the throughput of two processes cannot double here; the figure that says whether a second process costs anything is **operations per CPU-second of Kapı** (the CPU time of every Kapı process, argon2 and signing threads included, per operation). ${cores < 6 ? `Below 6 cores the goal is two processes ≥ ${GOAL_PER_CPU} × one process per CPU-second; the issue's ${GOAL_THROUGHPUT}× throughput applies where each process has its own core besides the generator and the storage.` : `With ${cores} cores the issue's ${GOAL_THROUGHPUT}× throughput applies as well.`}`,
  );
  out.push(
    `- ${CONNECTIONS} autocannon connections (client_credentials, opaque access token), ${REFRESH_CHAINS} refresh chains, ${LOGIN_CONCURRENCY} concurrent citizens for logins, all through the proxy.`,
  );
  out.push('');
  out.push(
    '| scenario | one process: ops/s | Kapı CPU (cores) | ops per CPU-second | two processes: ops/s | Kapı CPU (cores) | ops per CPU-second | two / one per CPU-second | two / one ops/s | HAProxy CPU (one / two) |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of SCALE_SCENARIOS) {
    const one = runsOf(s, 'kapi-proxy-1');
    const two = runsOf(s, 'kapi-proxy-2');
    const digits = s === 'login' ? 1 : 0;
    const cpu = (r: Run[]) =>
      medianRange(
        r.map((x) => x.kapiCpu),
        2,
      );
    const proxy = (r: Run[]) => `${fmt(median(r.map((x) => (x.proxyCpu ?? NaN) * 100)))}%`;
    out.push(
      `| ${TITLE[s]} | ${medianRange(
        one.map((x) => x.throughput),
        digits,
      )} | ${cpu(one)} | ${medianRange(one.map(perCpu), digits)} | ${medianRange(
        two.map((x) => x.throughput),
        digits,
      )} | ${cpu(two)} | ${medianRange(two.map(perCpu), digits)} | **${medianRange(paired(s, perCpu), 2)}** | ${medianRange(
        paired(s, (r) => r.throughput),
        2,
      )} | ${proxy(one)} / ${proxy(two)} |`,
    );
  }
  // The ruler scaled the same way (bench/options.ts, CONTROL_TARGETS): what a second process costs bare
  // oidc-provider per CPU-second on this machine, beside what it costs Kapı.
  const ruler = CONTROL_SCENARIOS.filter((s) => runsOf(s, 'bare-proxy-1').length && runsOf(s, 'bare-proxy-2').length);
  if (ruler.length) {
    out.push('');
    out.push(
      "| scenario | bare, one process: ops per CPU-second | bare, two processes: ops per CPU-second | bare: two / one per CPU-second | Kapı: two / one per CPU-second | Kapı's over bare's |",
    );
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const s of ruler) {
      const one = runsOf(s, 'bare-proxy-1');
      const two = runsOf(s, 'bare-proxy-2');
      const bare = two.slice(0, Math.min(one.length, two.length)).map((r, i) => perCpu(r) / perCpu(one[i]!));
      const kapi = paired(s, perCpu);
      out.push(
        `| ${TITLE[s]} | ${medianRange(one.map(perCpu), 0)} | ${medianRange(two.map(perCpu), 0)} | ${medianRange(bare, 2)} | ${kapi.length ? medianRange(kapi, 2) : '–'} | ${kapi.length ? fmt(median(kapi) / median(bare), 2) : '–'} |`,
      );
    }
  }
  // Where a second process's cost shows: the scheduler's switches between the processes (involuntary) and
  // the waits of each (voluntary: smaller batches of work per wake-up when the load is split in two).
  const switches = (r: Run[], pick: (x: Run) => number | undefined) =>
    medianRange(
      r.map((x) => pick(x) ?? NaN),
      2,
    );
  out.push('');
  out.push('| scenario | one process: switches per op, voluntary / involuntary | two processes: voluntary / involuntary |');
  out.push('| --- | --- | --- |');
  for (const s of SCALE_SCENARIOS) {
    const one = runsOf(s, 'kapi-proxy-1');
    const two = runsOf(s, 'kapi-proxy-2');
    out.push(
      `| ${TITLE[s]} | ${switches(one, (x) => x.switchesVoluntaryPerOp)} / ${switches(one, (x) => x.switchesInvoluntaryPerOp)} | ${switches(two, (x) => x.switchesVoluntaryPerOp)} / ${switches(two, (x) => x.switchesInvoluntaryPerOp)} |`,
    );
  }
  const direct = SCALE_SCENARIOS.filter((s) => runsOf(s, 'kapi-pg').length);
  if (direct.length) {
    out.push('');
    out.push(
      `For comparison, the same Kapı without the proxy (target "Kapı (Postgres + Redis)" of this run, one process on core 1): ${direct.map((s) => `${TITLE[s].replace(/^\d+\. /, '').replace(/ \(.*\)$/, '')} ${medianRange(runsOf(s, 'kapi-pg').map(perCpu), s === 'login' ? 1 : 0)} per CPU-second`).join('; ')}.`,
    );
  }
  out.push('');
  out.push('| target (issue 22 point 3, on this machine) | measured (median of paired runs, min–max) | |');
  out.push('| --- | --- | --- |');
  for (const v of scaleVerdicts()) out.push(`| ${v.target} | ${v.measured} | ${v.met === undefined ? 'not measured' : v.met ? 'met' : '**missed**'} |`);
  if (runState.noisyRuns || runState.quietWaited)
    out.push(
      '',
      `Other work on this shared machine: ${fmt(runState.quietWaited, 1)} s spent waiting for it, ${runState.noisyRuns} run(s) started on a busy machine after the wait budget ran out.`,
    );
  out.push('', SCALE_END);
  return out.join('\n');
}

/** The page with its Scale-out section replaced (or inserted before "## How to run" when it has none). */
export function replaceScaleSection(page: string, section: string): string {
  return replaceSection(page, { start: SCALE_START, end: SCALE_END }, section);
}
