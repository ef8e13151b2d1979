// Part of `npm run bench:everyday` (bench/everyday/run.ts): the "Everyday wait" section of
// docs/performance.md, between its markers (bench/lib/doc-sections.ts), from bench/results/everyday.json.
import type { Markers } from '../lib/doc-sections.js';
import { fmt, median } from '../lib/stats.js';
import type { CliTimes } from './cli.js';
import type { SignInLatency } from './sign-in-latency.js';
import type { StartupRow } from './startup.js';

export const EVERYDAY_MARKERS: Markers = {
  start: '<!-- everyday:start (written by npm run bench:everyday, bench/everyday/run.ts) -->',
  end: '<!-- everyday:end -->',
};

export interface EverydayResults {
  started: string;
  command: string;
  machine: string;
  loadBefore: number[];
  loadAfter: number[];
  cli?: CliTimes;
  startup?: StartupRow[];
  signIn?: SignInLatency[];
}

const ms = (value: number) => `${fmt(value)} ms`;
const seconds = (values: number[]) =>
  values.length ? `${fmt(median(values) / 1000, 2)} s (${fmt(Math.min(...values) / 1000, 2)}–${fmt(Math.max(...values) / 1000, 2)})` : '–';

export function everydaySection(r: EverydayResults): string {
  const out = [
    EVERYDAY_MARKERS.start,
    '## The everyday wait: commands, start-up and one sign-in at rest',
    '',
    `\`${r.command}\`, ${r.started.slice(0, 16).replace('T', ' ')} UTC, ${r.machine}; load average ${r.loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${r.loadAfter.map((l) => l.toFixed(1)).join(' ')} after (a shared machine: compare rows of one table, not with other runs).`,
    '',
  ];
  if (r.cli) {
    out.push(
      '### Commands: `--help` (hyperfine, one session)',
      '',
      `Goal: \`node_modules/.bin/kapi --help\` under 0.5 s on Node 22 with compiled JavaScript. \`bin/kapi.mjs\` is the file an install links there. System Node here: ${r.cli.systemNode}; Node 22: \`${r.cli.node22}\`.`,
      '',
      'Wall-clock times stretch with the load of the machine; the CPU time (user + system of the command and its children) does much less.',
      '',
      '| command | median | mean | min–max | CPU time |',
      '|---|---:|---:|---:|---:|',
      ...r.cli.rows.map(
        (row) => `| ${row.name} | ${ms(row.median)} | ${ms(row.mean)} | ${fmt(row.min)}–${fmt(row.max)} ms | ${row.cpu === undefined ? '–' : ms(row.cpu)} |`,
      ),
      '',
    );
  }
  if (r.startup) {
    out.push(
      '### From `npm start` to the first answer',
      '',
      "The command line `npm start` runs (the launcher, the node flags, `bin/start.mjs`; npm's own start is not in it) until `/.well-known/openid-configuration` answers 200. Cold: a fresh data directory or database (migrations, signing keys); warm: the same again. Median (min–max) of the runs.",
      '',
      '| backend | code | cold | warm |',
      '|---|---|---:|---:|',
      ...r.startup.map(
        (row) => `| ${row.backend} | ${row.code === 'compiled' ? 'compiled (dist/)' : 'sources through tsx'} | ${seconds(row.cold)} | ${seconds(row.warm)} |`,
      ),
      '',
    );
  }
  for (const s of r.signIn ?? []) {
    const wait = (m: { builtInWait?: number }, v: number) =>
      m.builtInWait ? ` (${fmt(v - m.builtInWait)} without the ${fmt(m.builtInWait / 1000)} s wait)` : '';
    out.push(
      `### One sign-in, end to end, at rest: ${s.backend}`,
      '',
      `One at a time, ${s.methods[0]?.runs ?? 0} in a row per method after ${s.warmup} to warm up, Kapı in the benchmark's process: from the institution's authorization request to its tokens (code exchanged, ID token checked), each method driven as its tests drive it.`,
      '',
      '| method | p50 ms | p95 ms | max ms | acr | amr | what is in it |',
      '|---|---:|---:|---:|---|---|---|',
      ...s.methods.map(
        (m) => `| ${m.method} | ${fmt(m.p50)}${wait(m, m.p50)} | ${fmt(m.p95)}${wait(m, m.p95)} | ${fmt(m.max)} | ${m.acr} | ${m.amr.join(' ')} | ${m.note} |`,
      ),
      ...s.skipped.map((k) => `| ${k.method} | – | – | – | | | not measured: ${k.reason} |`),
      '',
    );
  }
  out.push(EVERYDAY_MARKERS.end);
  return out.join('\n');
}
