// Part of `npm run bench` (bench/run.ts): the verdicts against issue 8's targets and docs/performance.md.

import { execSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { HAS_TASKSET, ROOT } from './lib/servers.js';
import { fmt, medianRange } from './lib/stats.js';
import { PATCHES } from '../bin/patch-dependencies.mjs';
import { dependencyPatchesNotInEffect } from '../src/runtime/dependency-patches.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';
import {
  RUNS,
  SECONDS,
  WARMUP,
  QUIET_BUDGET,
  CONNECTIONS,
  REFRESH_CHAINS,
  LOGIN_CONCURRENCY,
  PROBE_RATE,
  P99_SECONDS,
  SCALE_TARGETS,
  CONTROL_TARGETS,
  type TargetKey,
  type ScenarioKey,
  TARGETS as RUN_TARGETS,
  LABEL,
  TITLE,
} from './options.js';
import { results, profiles, finalRss, med, pairedRatios, pairedRatio, runState } from './results.js';
import { KAPI_NODE_FLAGS } from './targets.js';
import { extraRange, NOISE } from './measure.js';
import { scaleSection } from './report-scale.js';
import { FLOORS } from './floors.js';
import { GOAL, growthVerdicts, seqScanFailures } from './report-growth.js';

export interface Verdict {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function verdicts(): Verdict[] {
  const v: Verdict[] = [];
  const ratio = (s: ScenarioKey) => pairedRatio(s, 'kapi-pg');
  const known = (x: number) => Number.isFinite(x);
  const logins = med('login', 'kapi-pg');
  v.push({ target: 'Password logins ≥ 25/s per core (Postgres + Redis)', measured: `${fmt(logins, 1)}/s`, met: known(logins) ? logins >= 25 : undefined });
  for (const s of ['cc-opaque', 'cc-jwt'] as const) {
    const x = med(s, 'kapi-pg');
    v.push({
      target: `client_credentials ${s === 'cc-jwt' ? 'JWT' : 'opaque'} ≥ 3,000/s per core`,
      measured: `${fmt(x)}/s`,
      met: known(x) ? x >= 3000 : undefined,
    });
    v.push({
      target: `client_credentials ${s === 'cc-jwt' ? 'JWT' : 'opaque'} ≥ 0.6 × bare`,
      measured: `${fmt(ratio(s), 2)} ×`,
      met: known(ratio(s)) ? ratio(s) >= 0.6 : undefined,
    });
  }
  const rt = med('refresh', 'kapi-pg');
  v.push({ target: 'refresh_token ≥ 1,000/s per core', measured: `${fmt(rt)}/s`, met: known(rt) ? rt >= 1000 : undefined });
  v.push({
    target: 'refresh_token ≥ 0.6 × bare',
    measured: `${fmt(ratio('refresh'), 2)} ×`,
    met: known(ratio('refresh')) ? ratio('refresh') >= 0.6 : undefined,
  });
  const p99 = med('token-under-login', 'kapi-pg', (r) => r.p99);
  const p99s = (results['token-under-login']?.['kapi-pg']?.runs ?? []).map((r) => r.p99!).filter(Number.isFinite);
  // Issue 27: the target holds only if it holds in every run, not in the median of runs.
  v.push({
    target: 'token p99 < 25 ms while logins run at 80% (Postgres + Redis), in every run',
    measured: `each run ${everyRun(p99s)} ms (median ${fmt(p99, 1)})`,
    met: known(p99) ? p99s.every((x) => x < 25) : undefined,
  });
  // Issue 27: the ratios to bare that must hold on a slow day, each in this one run.
  for (const [s, goal] of [
    ['refresh', 0.8],
    ['cc-opaque', 0.85],
    ['cc-jwt', 0.85],
    ['login', 0.7],
  ] as const) {
    const x = ratio(s);
    // Three digits: 0.847 must not read as the goal it misses.
    v.push({ target: `${name(s)} ≥ ${goal} × bare (issue 27)`, measured: `${fmt(x, 3)} ×`, met: known(x) ? x >= goal : undefined });
  }
  const mem = results.memory?.['kapi-pg']?.memory;
  if (mem && mem.points.length) {
    const worst = Math.max(...mem.points.map((p) => Math.max(p.redisBytesPerSessionSampled, p.redisBytesPerSessionInfo)));
    v.push({ target: 'Redis memory per active session < 2 KB', measured: `${fmt(worst)} B (worst of INFO delta and MEMORY USAGE)`, met: worst < 2048 });
    const first = mem.points[0]!;
    const last = mem.points[mem.points.length - 1]!;
    const growth = (last.rssAfterSsoKb - first.rssAfterSsoKb) / 1024;
    v.push({
      target: 'Kapı RSS flat as sessions grow',
      measured: `${fmt(first.rssAfterSsoKb / 1024, 1)} → ${fmt(last.rssAfterSsoKb / 1024, 1)} MiB (${first.sessions.toLocaleString('en-US')} → ${last.sessions.toLocaleString('en-US')} sessions)`,
      met: growth < 20,
    });
  } else {
    v.push({ target: 'Redis memory per active session < 2 KB; RSS flat', measured: 'not measured', met: undefined });
  }
  for (const g of growthVerdicts())
    v.push({
      target: `${TITLE[g.scenario]} on the grown database ≥ ${GOAL} × empty (issue 24)`,
      measured: Number.isFinite(g.ratio) ? `${fmt(g.ratio, 2)} ×` : 'not measured',
      met: g.met,
    });
  if (runState.explain) {
    const n = seqScanFailures().length;
    v.push({
      target: 'No sequential scan of a table over 10,000 rows on the measured paths (issue 24)',
      measured: `${n} of ${runState.explain.length} statements`,
      met: n === 0,
    });
  }
  return v;
}

/** Every run's figure in run order ("6.8, 8.3, 8.3"): a median hides the run that missed. */
export function everyRun(values: number[]): string {
  return values.length ? values.map((x) => fmt(x, 1)).join(', ') : '–';
}

export function machine(): Record<string, string> {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(lscpu)?.[1]?.trim() ?? '?';
  const git = (args: string) => {
    try {
      return execSync(`git ${args}`, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  };
  const redisVersion = spawnSync('redis-cli', ['INFO', 'server'], { encoding: 'utf8' }).stdout?.match(/redis_version:(\S+)/)?.[1] ?? '?';
  return {
    cpu: `${field('Model name')} (${os.cpus().length} cores, ${field('Thread\\(s\\) per core')} thread/core)`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: redisVersion,
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    commit: `${git('rev-parse --short HEAD')}${git('status --porcelain -- src adapters interactions keys migrations') ? ' (with uncommitted changes in src/ or adapters/)' : ''}`,
  };
}

export function cell(s: ScenarioKey, t: TargetKey, digits = 0): string {
  const r = results[s]?.[t];
  if (!r) return '–';
  if (r.error) return `failed: ${r.error.slice(0, 80)}`;
  if (r.note) return r.note;
  return medianRange(
    r.runs.map((x) => x.throughput),
    digits,
  );
}

export function ratioCell(s: ScenarioKey, t: TargetKey): string {
  const pairs = pairedRatios(s, t);
  return pairs.length ? medianRange(pairs, 2) : '–';
}

export function storageCell(s: ScenarioKey, t: TargetKey): string {
  const runs = results[s]?.[t]?.runs ?? [];
  if (!runs.length) return '–';
  const r = med(s, t, (x) => x.redisPerOp);
  const q = med(s, t, (x) => x.sqlPerOp);
  const x = med(s, t, (y) => y.txnPerOp);
  const parts: string[] = [];
  if (t === 'kapi-pg') parts.push(`${fmt(r, 1)} Redis`);
  if (t !== 'bare') parts.push(`${fmt(q, 1)} SQL${x > 0.05 ? ` (${fmt(x, 1)} txn)` : ''}`);
  return parts.join(', ') || '–';
}

export function redone(): number {
  let n = 0;
  for (const byTarget of Object.values(results)) for (const r of Object.values(byTarget ?? {})) for (const run of r?.runs ?? []) n += run.retried ?? 0;
  return n;
}

export function render(info: Record<string, string>, started: Date, seconds: number, command: string): string {
  // The scale-out targets (behind HAProxy) have a section of their own (bench/report-scale.ts).
  // The grown database has its own section too (bench/report-growth.ts).
  const TARGETS = RUN_TARGETS.filter((t) => !SCALE_TARGETS.includes(t) && !CONTROL_TARGETS.includes(t) && t !== 'kapi-pg-grown');
  const lines: string[] = [];
  const ratios = TARGETS.includes('bare') && TARGETS.length > 1;
  const throughputScenarios: ScenarioKey[] = ['discovery', 'jwks', 'cc-opaque', 'cc-jwt', 'refresh', 'login'];
  lines.push(
    '| scenario | ' +
      TARGETS.map((t) => LABEL[t]).join(' | ') +
      (ratios
        ? ' | ' +
          TARGETS.filter((t) => t !== 'bare')
            .map((t) => `${t} / bare`)
            .join(' | ')
        : '') +
      ' |',
  );
  lines.push('|' + ' --- |'.repeat(1 + TARGETS.length + (ratios ? TARGETS.length - 1 : 0)));
  for (const s of throughputScenarios) {
    if (!results[s]) continue;
    const digits = s === 'login' ? 1 : 0;
    lines.push(
      `| ${TITLE[s]} | ` +
        TARGETS.map((t) => cell(s, t, digits)).join(' | ') +
        (ratios
          ? ' | ' +
            TARGETS.filter((t) => t !== 'bare')
              .map((t) => ratioCell(s, t))
              .join(' | ')
          : '') +
        ' |',
    );
  }
  if (results['token-under-login']) {
    const lat = (t: TargetKey) => {
      const r = results['token-under-login']?.[t];
      if (!r) return '–';
      if (r.error) return `failed: ${r.error.slice(0, 80)}`;
      const p99 = r.runs.map((x) => x.p99!).filter(Number.isFinite);
      const p50 = r.runs.map((x) => x.p50!).filter(Number.isFinite);
      const idle = r.runs[0]?.extra;
      return `p50 ${medianRange(p50, 1)}, p99 ${medianRange(p99, 1)}, each run ${everyRun(p99)} (alone: p50 ${fmt(idle?.idleP50, 1)}, p99 ${fmt(idle?.idleP99, 1)}; logins ${fmt(
        med('token-under-login', t, (x) => x.extra?.loginsPerSecond),
        1,
      )}/s)`;
    };
    lines.push(`| ${TITLE['token-under-login']} | ` + TARGETS.map(lat).join(' | ') + (ratios ? ' |'.repeat(TARGETS.length - 1) : '') + ' |');
  }
  const out: string[] = [];
  out.push('# Performance');
  out.push('');
  out.push(
    `Written by \`${command}\` (bench/run.ts) on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC, in ${Math.round(seconds / 60)} min. Issue 8 defines the scenarios and the targets. Re-run it to refresh this page; the figures below are from one run on the machine described, not a promise for other hardware.`,
  );
  out.push('');
  out.push('## Machine and placement');
  out.push('');
  out.push(
    `- CPU: ${info.cpu}; memory ${info.memory}; ${info.os}; Node ${info.node}; Postgres 15 and Redis ${info.redis} on 127.0.0.1; Kapı commit ${info.commit}; load average ${info.load} when the benchmark started.`,
  );
  out.push(
    `- Each server (Kapı, bare oidc-provider) runs alone in its own Node process${HAS_TASKSET ? ', pinned to core 1 (`taskset -c 1`, every thread including the libuv pool that runs argon2 and signing)' : ' (taskset missing: not pinned)'}; the load generator (this benchmark: autocannon and its own keep-alive HTTP loops) runs in one process${HAS_TASKSET ? ' pinned to core 0' : ''}. ${runState.storagePlacement?.description ?? 'Postgres and Redis were not used.'} So the figures are **per core of Kapı**, with its storage on top.`,
  );
  const notInEffect = new Set(dependencyPatchesNotInEffect());
  const patches = PATCHES.map((p) => `${p.name} (${notInEffect.has(p.name) ? '**not applied**' : 'applied'})`);
  out.push(
    `- Both Kapı and the bare provider run with the node flags of Kapı's \`npm start\` (\`src/runtime/node-flags.ts\`): ${SERVER_NODE_FLAGS.map((f) => `\`${f}\``).join(' ')}${KAPI_NODE_FLAGS.length ? `; Kapı also with ${KAPI_NODE_FLAGS.map((f) => `\`${f}\``).join(' ')} (experiment)` : ''}.`,
  );
  out.push(
    `- Kapı and the bare provider load the same installed packages (the same oidc-provider; only Kapı uses ioredis), with the dependency patches of \`bin/patch-dependencies.mjs\`: ${patches.join('; ')}.`,
  );
  out.push(`- Other work on the machine (this is a shared development machine): before each run the benchmark waits until processes other than the servers, Postgres and Redis use less than ${NOISE} of a core, and a run during which they used more is done again (twice at most), all within a budget of ${QUIET_BUDGET} s for the whole benchmark. This time ${fmt(runState.quietWaited, 1)} s were spent waiting, ${redone()} run(s) were redone and ${runState.noisyRuns} run(s) started on a busy machine after the budget ran out; the "other processes" column below shows what remained.
- ${RUNS} runs of ${SECONDS} s per scenario after a ${WARMUP} s warm-up; the table shows the median and (min–max). All three servers are started at the beginning and stay up; for each scenario every server gets its warm-up, then the runs go round-robin (run 1 of each server, then run 2 of each, ...), so that run i of Kapı and run i of bare see the same machine, and the Kapı/bare ratio is computed pair by pair (run i over run i) and summarised the same way. ${CONNECTIONS} connections for autocannon, ${REFRESH_CHAINS} refresh chains; ${LOGIN_CONCURRENCY} concurrent citizens for the login maximum.`);
  out.push('');
  out.push('## Results');
  out.push('');
  out.push(...lines);
  out.push('');
  out.push(
    'Server CPU while measured (CPU seconds per second; 100% = the one core the server is pinned to, argon2 and signing threads included; "loop" is the event loop utilisation of its main thread) and storage calls per operation (counted inside the server process by bench/lib/probe.mjs: ioredis commands, SQL statements sent by pg/PGlite, and of those the transactions). The last columns are CPU seconds per second of the Postgres and Redis server processes (during the Kapı Postgres + Redis runs) and of everything else on the machine (other people\'s work: the worst median over the servers), out of 200% for the two cores:',
  );
  out.push('');
  const kapis = TARGETS.filter((t) => t !== 'bare');
  out.push(
    '| scenario | ' +
      TARGETS.map((t) => `${LABEL[t]}: CPU`).join(' | ') +
      (kapis.length ? ' | ' + kapis.map((t) => `${LABEL[t]}: calls / op`).join(' | ') : '') +
      ' | generator CPU | Postgres + Redis CPU (Kapı pg) | other processes |',
  );
  out.push('|' + ' --- |'.repeat(1 + TARGETS.length + kapis.length + 3));
  for (const s of [...throughputScenarios, 'token-under-login'] as ScenarioKey[]) {
    if (!results[s]) continue;
    const cpu = (t: TargetKey) =>
      results[s]?.[t]?.runs.length ? `${fmt(med(s, t, (r) => r.kapiCpu * 100))}% (loop ${fmt(med(s, t, (r) => r.elu * 100))}%)` : '–';
    const gen = Math.max(...TARGETS.map((t) => med(s, t, (r) => r.genCpu * 100)).filter(Number.isFinite));
    const other = Math.max(...TARGETS.map((t) => med(s, t, (r) => r.otherCpu * 100)).filter(Number.isFinite));
    const storage = TARGETS.includes('kapi-pg')
      ? `${fmt(
          Math.max(
            0,
            med(s, 'kapi-pg', (r) => r.storageCpu * 100),
          ),
        )}%`
      : '–';
    out.push(
      `| ${TITLE[s]} | ` +
        TARGETS.map(cpu).join(' | ') +
        (kapis.length ? ' | ' + kapis.map((t) => storageCell(s, t)).join(' | ') : '') +
        ` | ≤ ${fmt(gen)}% | ${storage} | ≤ ${fmt(other)}% |`,
    );
  }
  const rpl = med('login', 'kapi-pg', (r) => r.extra?.requestsPerLogin);
  if (Number.isFinite(rpl))
    out.push(
      '',
      `A measured login is ${fmt(rpl, 0)} HTTP requests: /auth, ${rpl > 6.5 ? 'the method chooser, the password page' : "the sign-in page (the chooser, which opens with the password form, as the gateway's page opens on its password tab, and offers the other methods below it)"}, the password POST, the resume at /auth, the token request and userinfo (consent was given once before and is remembered). The bare provider's login page performs one argon2id verification with Kapı's parameters (m=19 MiB, t=2, p=1) and finishes login and consent at once: a floor for the same hashing cost, not the same work.`,
    );
  out.push('');
  out.push('### Scenario 5: the token endpoint while citizens sign in');
  out.push('');
  out.push(
    `A client_credentials request with a JWT access token (one ES256 signature) is sent every ${fmt(1000 / PROBE_RATE)} ms (${PROBE_RATE}/s, an open loop: each request leaves when it is due, whether or not earlier ones have been answered, so a slow answer delays no other; \`bench/lib/paced.ts\`), first alone, then while a paced loop starts password logins at 80% of the maximum measured in scenario 4. Each run lasts ${P99_SECONDS} s (${fmt(PROBE_RATE * P99_SECONDS)} answers, so the p99 is the ${fmt(Math.ceil((PROBE_RATE * P99_SECONDS) / 100))}th-worst answer, not one unlucky one), the other scenarios' runs ${SECONDS} s. Beside the latency the generator measures (from handing the request to its HTTP agent to the answer's last byte), the server reports how long it held the same requests (from their headers being read to the answer's last byte written) and both processes report their event-loop delay, which tells a slow server from a late generator.`,
  );
  out.push('');
  if (results['token-under-login']) {
    out.push('Where the time went (ms; median of runs, min–max; "alone" is the probe without logins, one run):');
    out.push('');
    out.push(
      '| target | answer p99 (generator) | held by the server: p99 / max | server event-loop delay: p99 / max | longest GC pause in the server (major GCs per run) | generator event-loop delay: p99 / max | request sent late by, at most | alone: answer p99, held p99, server loop max |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const t of TARGETS) {
      const r = results['token-under-login']?.[t];
      if (!r?.runs.length) continue;
      const ex = (key: string) => extraRange(r.runs, key);
      const first = r.runs[0]!.extra ?? {};
      out.push(
        `| ${LABEL[t]} | ${medianRange(r.runs.map((x) => x.p99!).filter(Number.isFinite), 1)} | ${ex('heldP99')} / ${ex('heldMax')} | ${ex('serverLoopP99')} / ${ex('serverLoopMax')} | ${ex('gcMax')} (${ex('gcMajor')}) | ${ex('generatorLoopP99')} / ${ex('generatorLoopMax')} | ${ex('sendLagMax')} | ${fmt(first.idleP99, 1)}, ${fmt(first.idleheldP99, 1)}, ${fmt(first.idleserverLoopMax, 1)} |`,
      );
    }
    out.push('');
  }
  const mem = results.memory?.['kapi-pg'];
  out.push('### Scenario 6: memory per active session (Kapı on Postgres + Redis)');
  out.push('');
  if (mem?.memory) {
    const m = mem.memory;
    out.push(
      `Logging 100,000 people in at ~30/s would take an hour, so one real session (from a real password login) was read back through Kapı's own adapter (\`createOidcAdapterFactory\`, model Session) and written again with fresh random ids of the same lengths and the same TTL (${fmt(m.writeSeconds, 1)} s for all writes). The session payload is ${m.templateBytes} bytes of JSON. Redis is shared with other users, so two measures are given: the INFO used_memory delta divided by the sessions written, and MEMORY USAGE (SAMPLES 0) of 200 random session hashes plus their uid index keys. Kapı's RSS was ${fmt(m.baselineRssKb / 1024, 1)} MiB before; it is read idle and after a few seconds of single sign-on requests (GET /auth with a signed session cookie) spread over random stored sessions. Before the first point one burst of the same requests is sent and not counted: a process whose heap V8 has just shrunk grows back on the first requests, and that growth is the heap's, not the sessions'. Every RSS and heap figure is read right after a full collection in the server (the probe calls V8's gc), so it is what the process keeps.`,
    );
    out.push('');
    out.push(
      '| active sessions | Redis bytes/session (INFO delta) | Redis bytes/session (MEMORY USAGE) | Kapı RSS idle | Kapı RSS after SSO | Kapı heap after SSO | SSO requests/s |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of m.points)
      out.push(
        `| ${p.sessions.toLocaleString('en-US')} | ${fmt(p.redisBytesPerSessionInfo)} | ${fmt(p.redisBytesPerSessionSampled)} | ${fmt(p.rssIdleKb / 1024, 1)} MiB | ${fmt(p.rssAfterSsoKb / 1024, 1)} MiB | ${fmt(p.heapAfterSsoKb / 1024, 1)} MiB | ${p.ssoError ? `failed: ${p.ssoError.slice(0, 100)}` : fmt(p.ssoPerSecond)} |`,
      );
  } else {
    out.push(mem?.error ? `Failed: ${mem.error}` : 'Not measured in this run.');
  }
  out.push('');
  out.push(scaleSection(info, started, seconds, command));
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| target (issue 8) | measured | |');
  out.push('| --- | --- | --- |');
  for (const v of verdicts()) out.push(`| ${v.target} | ${v.measured} | ${v.met === undefined ? 'not measured' : v.met ? 'met' : '**missed**'} |`);
  if (runState.pgTables.length) {
    out.push('');
    out.push('## Postgres table access over the whole Postgres + Redis run');
    out.push('');
    out.push(
      'From pg_stat_user_tables of the benchmark database after the server stopped (its backends flushed their statistics): a sequential scan on a table that grows (tokens, grants, audit) is a missing index.',
    );
    out.push('');
    out.push('| table | seq scans | rows read by seq scans | index scans | live rows | dead rows |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const t of runState.pgTables.filter((x) => x.seq_scan + x.idx_scan > 0).slice(0, 14))
      out.push(`| ${t.relname} | ${fmt(t.seq_scan)} | ${fmt(t.seq_tup_read)} | ${fmt(t.idx_scan)} | ${fmt(t.n_live_tup)} | ${fmt(t.n_dead_tup)} |`);
  }
  for (const p of profiles) {
    out.push('');
    out.push(`## CPU profile: ${TITLE[p.scenario]}, Kapı on Postgres + Redis`);
    out.push('');
    out.push(
      `\`node --cpu-prof\` of a fresh Kapı process (Postgres + Redis) during one ${SECONDS} s run of this scenario, the profile cut to the measured run (start-up and warm-up left out): ${fmt(p.summary.totalMs)} ms on the main thread's CPU in ${fmt(p.summary.windowMs)} ms (the profile covers the main thread only; argon2 and signing run on the libuv pool). File: ${p.file} (not committed).`,
    );
    out.push('');
    out.push('| area (self time) | share | | area (inclusive, synchronous stacks) | share |');
    out.push('| --- | --- | --- | --- | --- |');
    for (let i = 0; i < 10; i++) {
      const a = p.summary.packages[i];
      const b = p.summary.inclusivePackages[i];
      if (!a && !b) break;
      out.push(`| ${a?.name ?? ''} | ${a ? `${fmt(a.share * 100, 1)}%` : ''} | | ${b?.name ?? ''} | ${b ? `${fmt(b.share * 100, 1)}%` : ''} |`);
    }
    out.push('');
    out.push('| function (self time) | share |');
    out.push('| --- | --- |');
    for (const x of p.summary.functions.slice(0, 12)) out.push(`| \`${x.name.replace(/\|/g, '\\|')}\` | ${fmt(x.share * 100, 1)}% |`);
    out.push('');
    out.push('| Kapı function (inclusive, synchronous part) | share |');
    out.push('| --- | --- |');
    for (const x of p.summary.inclusiveKapi.slice(0, 10)) out.push(`| \`${x.name.replace(/\|/g, '\\|')}\` | ${fmt(x.share * 100, 1)}% |`);
  }
  out.push(...floorSection());
  const mixScenarios: ScenarioKey[] = ['cc-opaque', 'cc-jwt', 'refresh', 'login'];
  const lastRun = (s: ScenarioKey) => results[s]?.['kapi-pg']?.runs.at(-1);
  if (mixScenarios.some((s) => lastRun(s)?.sqlMix)) {
    out.push('');
    out.push('## Storage calls per operation, statement by statement (Kapı on Postgres + Redis, last run)');
    out.push('');
    out.push('SQL statements are shown with their parameters folded ($n); Redis commands by name (scripts by the start of their SHA-1).');
    for (const s of mixScenarios) {
      const r = lastRun(s);
      if (!r?.sqlMix) continue;
      out.push('');
      out.push(`**${TITLE[s]}**`);
      out.push('');
      out.push('| per op | call |');
      out.push('| --- | --- |');
      const rows = [
        ...Object.entries(r.sqlMix).map(([k, v]) => [`SQL \`${k.replace(/\|/g, '\\|')}\``, v] as const),
        ...Object.entries(r.redisMix ?? {}).map(([k, v]) => [`Redis \`${k}\``, v] as const),
      ];
      for (const [k, v] of rows
        .sort((a, b) => b[1] - a[1])
        .filter(([, v]) => v >= 0.05)
        .slice(0, 24))
        out.push(`| ${fmt(v, 2)} | ${k} |`);
    }
  }
  const rss = Object.entries(finalRss).filter(([, v]) => Number.isFinite(v));
  if (rss.length)
    out.push('', `Server RSS at the end of the run (ps): ${rss.map(([k, v]) => `${LABEL[k as TargetKey]} ${fmt(v! / 1024, 0)} MiB`).join(', ')}.`);
  out.push('');
  // The hand-written findings (bench/notes.md) follow the run's figures, one heading level down.
  out.push(
    readFileSync(path.join(ROOT, 'bench', 'notes.md'), 'utf8')
      .trim()
      .replace(/^# /, '## '),
  );
  out.push('');
  out.push('## How to run');
  out.push('');
  out.push(
    '`npm run bench` (about 10 minutes; needs Postgres and Redis on 127.0.0.1, or BENCH_POSTGRES_URL / BENCH_REDIS_URL). It creates a database `kapi_bench_<random>` and a Redis key prefix `kapi-bench-<random>:`, and removes both at the end (also on Ctrl-C). `npm run bench -- --quick` is a smoke test; `--targets=`, `--only=`, `--runs=`, `--seconds=` narrow a run (and then leave this page alone, except that `--targets=kapi-proxy-1,kapi-proxy-2 --only=cc-opaque,refresh,login` replaces the Scale-out section, and `--targets=kapi-pg,kapi-pg-grown --only=login,refresh,history,institutions,registrar-lookup,registrar-history,retention` the Data growth section). The data-growth template (`kapi_growth_<hash>_s1`, about 7 GiB) is built the first time it is needed (about 9 minutes on the machine below; `node bin/launch.mjs --import tsx bench/data-growth/build.ts` builds it ahead) and kept: a change to the migrations or to its generator gives a new name and the old one is dropped; `DROP DATABASE` after `ALTER DATABASE ... IS_TEMPLATE false` removes it. `--growth-scale=0.01` uses a template a hundredth of the size (to work on the scenarios; such a run leaves this page alone). `npm run soak` (25 minutes, `--minutes=N`) writes the Soak section and `npm run bench:everyday` (bench/everyday/run.ts, about 15 minutes, needs hyperfine) the Everyday wait section, which a full benchmark keeps. None of them is a test and none runs in CI.',
  );
  out.push('');
  return out.join('\n');
}

/** A scenario's title without its unit ("3. refresh_token + ID token"). */
const name = (s: ScenarioKey) => TITLE[s].replace(/ \([^)]*\)$/, '');

/** Storage calls per operation beside the floor each operation cannot go below (bench/floors.ts, issue 27). */
function floorSection(): string[] {
  const rows = (Object.keys(FLOORS) as ScenarioKey[]).filter((s) => results[s]?.['kapi-pg']?.runs.length);
  if (!rows.length) return [];
  const out = [
    '',
    '## Storage calls per operation against their floor (Kapı on Postgres + Redis)',
    '',
    "The floor is what an operation must read and write to keep its safety properties (single use of codes and refresh tokens, revocation checks, the guess limits' one-key counters, the ended-session marks, the audit and sign-in records), counted for one operation taken alone (bench/floors.ts; `npm run bench:trace` lists the calls one operation of each kind sends, request by request). Measured figures are the median of runs; under load, concurrent token requests share SQL statements (group commit), so a measured SQL figure can be below the floor.",
    '',
    '| operation | measured: Redis, SQL per op | floor: Redis, SQL | over the floor |',
    '| --- | --- | --- | --- |',
  ];
  for (const s of rows) {
    const f = FLOORS[s]!;
    const r = med(s, 'kapi-pg', (x) => x.redisPerOp);
    const q = med(s, 'kapi-pg', (x) => x.sqlPerOp);
    const over = (measured: number, floor: number, what: string) =>
      measured - floor < -0.05
        ? `${fmt(floor - measured, 1)} ${what} below (shared by concurrent requests)`
        : `${fmt(Math.max(0, measured - floor), 1)} ${what}`;
    out.push(`| ${name(s)} | ${fmt(r, 1)}, ${fmt(q, 1)} | ${f.redis}, ${f.sql} | ${over(r, f.redis, 'Redis')}, ${over(q, f.sql, 'SQL')} |`);
  }
  out.push('');
  for (const s of rows) {
    const f = FLOORS[s]!;
    out.push(`- **${name(s)}**: ${f.calls}${f.above ? ` Above the floor: ${f.above}` : ' Kapı sends nothing above it.'}`);
  }
  return out;
}
