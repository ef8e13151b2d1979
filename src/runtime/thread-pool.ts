import { pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import { promisify } from 'node:util';

// Node's libuv thread pool runs argon2 (password checks) and the asynchronous crypto of token signing.
// During a wave of password logins the hashes keep the pool threads busy, and the operating system
// shares the core between them and the event loop that answers every other request: measured (issue 8,
// `npm run bench`, Kapı on one core), a token request's p99 rose to 78 ms while logins ran at 80% of
// their maximum. Two measures keep signing and the event loop ahead of hashing:
// - fewer hashes at once than the cores Kapı may use (the hasher's FIFO gate; the rest queue), so a
//   core is left for the event loop when it has work;
// - the pool threads get a lower scheduling priority (nice), so whenever the event loop has work the
//   kernel runs it first and the hashes take the time left over. Logins per second stay the same (the
//   core is still full of hashing); only the order changes. Together: p99 13 ms, logins 18.1/s against
//   19.3/s (within the runs' spread), same machine and scenario.

/** libuv names its pool threads so (Node 22+, Linux). */
const POOL_THREAD_NAME = 'libuv-worker';

/** Threads libuv starts for the pool: UV_THREADPOOL_SIZE, default 4. */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

/**
 * Default for KAPI_ARGON2_CONCURRENCY: one hash per core Kapı may run on (its CPU affinity, so a process
 * pinned to one core counts one), and always one pool thread left for token signing.
 */
export function defaultArgon2Concurrency(env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(1, Math.min(availableParallelism(), threadPoolSize(env) - 1));
}

/**
 * Lowers the scheduling priority of this process's pool threads to `nice` (Linux; raising one's own
 * niceness needs no privilege). Answers how many threads were changed: 0 where there is no /proc or the
 * threads are not named (another platform), which leaves everything as it was.
 */
export async function lowerThreadPoolPriority(nice: number): Promise<number> {
  if (nice <= 0 || process.platform !== 'linux') return 0;
  // libuv starts all of the pool's threads with the first job; one tiny job makes sure they exist.
  await promisify(pbkdf2)('', '', 1, 1, 'sha256');
  let changed = 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== POOL_THREAD_NAME) continue;
      // On Linux setpriority() on a thread id applies to that thread alone.
      setPriority(Number(tid), nice);
      changed++;
    } catch {
      /* the thread is gone, or not ours to change: leave it */
    }
  }
  return changed;
}
