// `npm run bench:thread-cpu -- --only=cc-opaque,login --targets=kapi-pg,bare`:
// CPU per operation of each server by thread (the main thread, the libuv pool, V8's helper threads,
// the rest), user and kernel time apart, read from /proc/<pid>/task around one measured run of each
// scenario (issue 27). A CPU profile sees the main thread's JavaScript only, and samples it by the wall
// clock; this is what the kernel charged each thread.

import { readdirSync, readFileSync } from 'node:fs';
import { pinSelf } from './lib/servers.js';
import { redisClient } from './lib/storage.js';
import { fmt } from './lib/stats.js';
import { type TargetKey, SCENARIOS, TARGETS, TITLE, log } from './options.js';
import { cleanupAll, cleanups } from './cleanup.js';
import { runState } from './results.js';
import { prepareTarget, type Target } from './targets.js';
import { prepare } from './scenarios.js';
import { waitForQuiet } from './measure.js';

type Ticks = Map<string, { user: number; sys: number }>;

/** utime and stime (µs) of every thread of the process, grouped by what the thread is. */
function threads(pid: number): Ticks {
  const out: Ticks = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Node 22 names its libuv pool threads libuv-worker; V8's platform workers (parallel scavenges,
      // concurrent marking, the optimising compiler) keep the process's name.
      const group =
        Number(tid) === pid
          ? 'main thread'
          : comm.startsWith('libuv-worker')
            ? 'libuv pool (argon2, signing)'
            : comm === 'node'
              ? "V8's platform workers (GC, compiler)"
              : comm;
      const g = out.get(group) ?? { user: 0, sys: 0 };
      g.user += Number(f[11]) * 10_000;
      g.sys += Number(f[12]) * 10_000;
      out.set(group, g);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

async function main(): Promise<void> {
  pinSelf(0);
  const redis = redisClient();
  cleanups.push({ what: 'close Redis', run: async () => redis.disconnect() });
  runState.profiling = true;
  for (const key of TARGETS as TargetKey[]) {
    const target: Target = await prepareTarget(key, redis);
    try {
      for (const s of SCENARIOS) {
        const body = await prepare(target, s);
        await body(target, 2); // warm-up
        await waitForQuiet();
        const before = threads(target.server.pid);
        const out = await body(target, 6);
        const after = threads(target.server.pid);
        log(`${TITLE[s]} — ${key}: ${fmt(out.ops / out.seconds, 1)}/s; µs per operation, user + kernel:`);
        let total = 0;
        for (const [group, a] of after) {
          const b = before.get(group) ?? { user: 0, sys: 0 };
          const user = (a.user - b.user) / out.ops;
          const sys = (a.sys - b.sys) / out.ops;
          total += user + sys;
          if (user + sys > 0) log(`  ${fmt(user + sys, 1).padStart(9)} = ${fmt(user, 1)} + ${fmt(sys, 1)}  ${group}`);
        }
        log(`  ${fmt(total, 1).padStart(9)}  in all`);
      }
    } finally {
      await target.server.stop();
    }
  }
}

try {
  await main();
} finally {
  await cleanupAll();
}
