// Part of `npm run bench` (bench/run.ts): the figures of every run, kept for the report and latest.json,
// and the state the parts of one run share.

import type { MemoryResult } from './lib/memory.js';
import type { ProfileSummary } from './lib/profile.js';
import type { MemoryMap } from './lib/servers.js';
import { median } from './lib/stats.js';
import type { StoragePlacement } from './lib/storage-placement.js';
import type { TableStats } from './lib/storage.js';
import { QUIET_BUDGET, type TargetKey, type ScenarioKey } from './options.js';
import type { Explained } from './data-growth/explain.js';
import type { Target } from './targets.js';

export interface Run {
  throughput: number; // successful operations per second
  ops: number;
  errors: number;
  p50?: number;
  p99?: number;
  kapiCpu: number; // CPU seconds of the server per wall second (1.0 = one core busy)
  switchesVoluntaryPerOp?: number; // context switches of the server's threads per operation
  switchesInvoluntaryPerOp?: number;
  mainCpu?: number; // same, of its main thread alone (the event loop, without the libuv pool's argon2 and signing)
  elu: number; // share of the wall time the server's event loop (main thread) was busy
  genCpu: number; // same for this process (the load generator)
  storageCpu: number; // Postgres and Redis server processes, in cores
  proxyCpu?: number; // the HAProxy of a scale-out target, in cores
  otherCpu: number; // everything else on the machine (other people's work), in cores
  retried?: number; // runs thrown away because other work ran meanwhile
  redisPerOp?: number;
  sqlPerOp?: number;
  txnPerOp?: number;
  sqlMix?: Record<string, number>; // statements per operation, by shape
  redisMix?: Record<string, number>; // commands per operation, by name
  extra?: Record<string, number>;
}
export interface ScenarioResult {
  runs: Run[];
  error?: string;
  note?: string;
  memory?: MemoryResult;
}
export const results: Partial<Record<ScenarioKey, Partial<Record<TargetKey, ScenarioResult>>>> = {};
export const setResult = (s: ScenarioKey, t: TargetKey, r: ScenarioResult) => ((results[s] ??= {})[t] = r);
export const profiles: Array<{ scenario: ScenarioKey; summary: ProfileSummary; file: string; windows: Array<[number, number]> }> = [];
export const finalRss: Partial<Record<TargetKey, number>> = {};
/** Where each server's RSS was at the end of the run: as it was, after a full collection, and after V8's last-resort collection (a diagnosis: it empties V8's page pool) (issue 24 point 2). */
export const finalMemory: Partial<Record<TargetKey, { asIs: MemoryMap; afterGc: MemoryMap; afterLastResortGc: MemoryMap }>> = {};

export const med = (s: ScenarioKey, t: TargetKey, pick: (r: Run) => number | undefined = (r) => r.throughput) => {
  const runs = results[s]?.[t]?.runs ?? [];
  const values = runs.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return values.length ? median(values) : NaN;
};

/** Run i of a Kapı target over run i of bare (adjacent in time), the median of those ratios. */
export function pairedRatios(s: ScenarioKey, t: TargetKey): number[] {
  const a = results[s]?.[t]?.runs.map((r) => r.throughput) ?? [];
  const b = results[s]?.bare?.runs.map((r) => r.throughput) ?? [];
  return a.slice(0, Math.min(a.length, b.length)).map((x, i) => x / b[i]!);
}
export function pairedRatio(s: ScenarioKey, t: TargetKey): number {
  const r = pairedRatios(s, t);
  return r.length ? median(r) : NaN;
}

/** What the parts of one benchmark run share while it runs (set by run.ts, measure.ts and cleanup.ts). */
export const runState: {
  interrupted: boolean;
  profiling: boolean;
  storagePlacement: StoragePlacement | undefined;
  pgTables: TableStats[];
  quietBudget: number; // seconds the benchmark may still wait for an idle machine
  quietWaited: number;
  noisyRuns: number;
  /** Data growth: the grown target's template, and the EXPLAIN of the statements of its paths. */
  growth?: Target['growth'];
  explain?: Explained[];
} = { interrupted: false, profiling: false, storagePlacement: undefined, pgTables: [], quietBudget: QUIET_BUDGET, quietWaited: 0, noisyRuns: 0 };
