import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { keepAliveAgent, request } from './http.js';
import { SERVER_ENV } from '../../src/runtime/node-flags.js';

// The servers under test run in child processes of their own (node --import tsx), pinned to one core
// with taskset when it exists, with bench/lib/probe.mjs preloaded to count storage calls.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HAS_TASKSET = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

export interface ProbeSample {
  redis: number;
  sql: number;
  txn: number;
  sqlByText: Record<string, number>;
  redisByName: Record<string, number>;
  cpuMicros: number;
  /** Context switches of all the process's threads so far (Linux; 0 elsewhere). */
  switchesVoluntary: number;
  switchesInvoluntary: number;
  /** CPU time of the main thread alone (the event loop; the libuv pool's argon2 and signing left out). */
  mainThreadMicros: number;
  eluActive: number;
  eluIdle: number;
  rss: number;
  heapUsed: number;
  monoMicros: number;
  at: number;
  /** With `memory: true` (bench/lib/memory-map.mjs): resident MiB by kind of mapping and V8's figures. */
  memoryMap?: MemoryMap;
  /** Since the previous probe (probe.mjs), in ms: the server's hold time of `x-bench-probe` requests, its event-loop delay and its GC pauses. */
  latencies: {
    probeHeldP50: number;
    probeHeldP99: number;
    probeHeldMax: number;
    loopDelayP99: number;
    loopDelayMax: number;
    slowHeld: Array<{ at: number; ms: number }>;
    gcMax: number;
    gcMajor: number;
    gcMajorMax: number;
  };
  /** Statements with their parameters, one per shape, when the probe asked to take them. */
  samples?: SqlSample[];
}

export interface SqlSample {
  text: string;
  values: unknown[];
}

export interface MemoryMap {
  rssMiB: number;
  smaps: Record<string, number>;
  arenasMiB: number[];
  wasmMemoryMiB: number;
  v8: {
    heapTotalMiB: number;
    heapUsedMiB: number;
    physicalMiB: number;
    externalMiB: number;
    arrayBuffersMiB: number;
    mallocedMiB: number;
    peakMallocedMiB: number;
    spaces: Record<string, { physicalMiB: number; usedMiB: number; sizeMiB: number }>;
  };
}

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** `gc`: a full collection first, so memory figures are what the process keeps ('last-resort': V8's collection under memory pressure, which also empties its page pool); `memory`: where the RSS is too. */
  /** `samples`: start keeping the first statement of each shape with its parameters, or take them (data growth). */
  probe(options?: { gc?: boolean | 'last-resort'; memory?: boolean; samples?: 'start' | 'take' }): Promise<ProbeSample>;
  rssKb(): number;
  stop(): Promise<void>;
  output(): string;
}

const live = new Set<ChildProcess>();

/** A port free right now on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Kills every child still running (used by the Ctrl-C handler). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

export async function startServer(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  port: number;
  core?: number;
  cpuProfDir?: string;
  /** Experiment: lower the priority (nice) of the server's libuv pool threads once it answers. */
  nicePool?: number;
  /** Experiment: extra flags for node (V8's among them), e.g. --trace-gc or --max-semi-space-size=32. */
  nodeFlags?: string[];
  /** Everything the server prints is also appended here (the last 8,000 characters are always kept). */
  logFile?: string;
}): Promise<ServerProcess> {
  const nodeArgs = [
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    '--import',
    './bench/lib/probe.mjs',
    ...(options.env.BENCH_EXPERIMENTS ? ['--import', './bench/lib/experiments.mjs'] : []),
    options.script,
  ];
  const pinned = HAS_TASKSET && options.core !== undefined;
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', String(options.core), process.execPath, ...nodeArgs] : nodeArgs;
  // The child is not given the whole environment of the benchmark: only PATH, HOME and its own variables.
  // The server environment of `npm start` (malloc settings, src/runtime/node-flags.ts) for every server,
  // the bare provider too, so that the ratios compare code, not runtime settings.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAPI_ROOT: ROOT, ...SERVER_ENV, ...options.env };
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  live.add(child);
  let out = '';
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-8_000);
    log?.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    log?.end();
    exited = true;
    live.delete(child);
  });
  child.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));

  const pending = new Map<number, (s: ProbeSample) => void>();
  let nextId = 1;
  child.on('message', (m: { type?: string; id?: number } & ProbeSample) => {
    if (m?.type === 'probe' && m.id !== undefined) pending.get(m.id)?.(m);
  });

  const url = `http://127.0.0.1:${options.port}`;
  const agent = keepAliveAgent(1);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`${options.name} exited during start:\n${out.slice(-2_000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not answer within 90 s:\n${out.slice(-2_000)}`);
    }
    try {
      const res = await request(agent, `${url}/.well-known/openid-configuration`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  agent.destroy();
  if (options.nicePool !== undefined) renicePool(child.pid!, options.nicePool);

  return {
    name: options.name,
    pid: child.pid!,
    url,
    output: () => out,
    async probe(probeOptions: { gc?: boolean | 'last-resort'; memory?: boolean; samples?: 'start' | 'take' } = {}) {
      if (exited) throw new Error(`${options.name} has exited:\n${out.slice(-1_000)}`);
      const id = nextId++;
      const answer = new Promise<ProbeSample>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('probe timeout')), 5_000);
        pending.set(id, (s) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(s);
        });
      });
      child.send({
        type: 'probe',
        id,
        gc: probeOptions.gc ?? false,
        memory: probeOptions.memory === true,
        ...(probeOptions.samples ? { samples: probeOptions.samples } : {}),
      });
      return answer;
    },
    rssKb() {
      const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(child.pid)], { encoding: 'utf8' });
      return Number(ps.stdout.trim()) || NaN;
    },
    async stop() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Renices the libuv-worker threads of a process (setpriority on their thread ids). */
export function renicePool(pid: number, nice: number): number {
  let count = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    if (comm === 'libuv-worker' && spawnSync('renice', ['-n', String(nice), '-p', tid], { stdio: 'ignore' }).status === 0) count++;
  }
  return count;
}

/** Pins this process (every thread) to a core, so the load generator stays off the server's core. */
export function pinSelf(core: number): boolean {
  if (!HAS_TASKSET) return false;
  return spawnSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' }).status === 0;
}
