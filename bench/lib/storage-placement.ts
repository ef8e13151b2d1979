import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { HAS_TASKSET } from './servers.js';

// Where Postgres and Redis run during the benchmark. Kapı's figures are "per core of Kapı": the server
// is pinned to core 1 and the load generator to core 0. Left unpinned, the Postgres backends and Redis
// (shared system services) also run on core 1 and take part of Kapı's core, so Kapı's figure would be
// "one core shared with its database" while the bare provider, which has no database, keeps its whole
// core. In a deployment the database has machines of its own, and Keycloak's sizing guide also counts
// the database apart from the server's vCPUs. So by default the benchmark moves the storage processes
// to core 0, beside the load generator, and reports their CPU in a column of its own; it puts every
// process back on the cores it had when the benchmark ends. `--storage-core=shared` leaves them alone.

const STORAGE_COMMANDS = new Set(['postgres', 'redis-server']);

/** Process ids of every Postgres and Redis server process on the machine. */
export function storagePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (STORAGE_COMMANDS.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return pids;
}

/** The affinity list of a process (e.g. "0,1" or "0-1"), or undefined when it cannot be read. */
function affinityOf(pid: number): string | undefined {
  const out = spawnSync('taskset', ['-cp', String(pid)], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  return /list:\s*(\S+)/.exec(out.stdout)?.[1];
}

function setAffinity(pid: number, cores: string): boolean {
  // -a: every thread of the process (Redis has I/O and background threads).
  return spawnSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' }).status === 0;
}

export interface StoragePlacement {
  /** How the storage processes were placed, for the report. */
  readonly description: string;
  /** True when every storage process found was moved. */
  readonly pinned: boolean;
  /** Puts every storage process back (also those Postgres started during the run) on its former cores. */
  restore(): void;
}

/**
 * Moves every Postgres and Redis process to `core`. Backends that Postgres forks later inherit the
 * postmaster's affinity, so connections opened during the run are on that core too.
 */
/** Postgres and Redis left where they are (`why` says why, for the report). */
export function storageLeftShared(why: string): StoragePlacement {
  return {
    description: `Postgres and Redis are shared system services and ${why}: they take their CPU from both cores, Kapı's included.`,
    pinned: false,
    restore: () => {},
  };
}

export function pinStorage(core: number): StoragePlacement {
  const shared = storageLeftShared('could not be moved');
  if (!HAS_TASKSET) return shared;
  const before = new Map<number, string>();
  for (const pid of storagePids()) {
    const cores = affinityOf(pid);
    if (cores !== undefined) before.set(pid, cores);
  }
  if (!before.size) return shared;
  const moved = [...before.keys()].filter((pid) => setAffinity(pid, String(core)));
  if (moved.length < before.size) {
    // Not allowed to move them all (another user's processes): put back what moved, report "shared".
    for (const pid of moved) setAffinity(pid, before.get(pid)!);
    return shared;
  }
  // Processes started during the run (new Postgres backends) get the most common former setting.
  const counts = new Map<string, number>();
  for (const cores of before.values()) counts.set(cores, (counts.get(cores) ?? 0) + 1);
  const usual = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    description: `Postgres and Redis (shared system services, ${before.size} processes) were moved to core ${core}, beside the load generator, for the benchmark and put back afterwards, so core 1 is Kapı's alone; their CPU is reported in its own column.`,
    pinned: true,
    restore: () => {
      for (const pid of storagePids()) setAffinity(pid, before.get(pid) ?? usual);
    },
  };
}
