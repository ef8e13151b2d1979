import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defaultArgon2Concurrency, threadPoolSize } from '../../src/runtime/thread-pool.js';
import { SHARED_SECRETS } from '../support/faults-services.js';
import { spawnKapi, type KapiProcess } from '../support/kapi-process.js';
import { freePort } from '../support/kapi.js';

// Issue 8: hashing must not starve token signing. The server's entry point lowers the priority of the
// libuv pool threads (argon2, async crypto) and bounds the hashes in flight below the pool's size.

describe('argon2 concurrency default', () => {
  it('one hash per usable core, always leaving a pool thread for signing, never below one', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '8' })).toBe(8);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'lots' })).toBe(4);
    for (const size of ['1', '2', '3', '4', '16']) {
      const n = defaultArgon2Concurrency({ UV_THREADPOOL_SIZE: size });
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(Math.max(1, Number(size) - 1));
      expect(n).toBeLessThanOrEqual(availableParallelism());
    }
    expect(defaultArgon2Concurrency({ UV_THREADPOOL_SIZE: '1' })).toBe(1);
  });
});

/** Name and nice value of every thread of a process (Linux /proc; field 19 of stat is the nice value). */
function threads(pid: number): Array<{ name: string; nice: number }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) };
  });
}

async function started(env: Record<string, string>): Promise<{ kapi: KapiProcess; issuer: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const kapi = spawnKapi({
    ...SHARED_SECRETS,
    NODE_ENV: 'test',
    PORT: String(port),
    KAPI_ISSUER: issuer,
    DATA_DIR: ':memory:',
    KAPI_DEMO: 'false',
    KAPI_LOG_LEVEL: 'info',
    ...env,
  });
  const deadline = Date.now() + 90_000; // starting under tsx takes seconds on a loaded machine
  while (!/"msg":"thread pool"/.test(kapi.output())) {
    if (Date.now() > deadline) throw new Error(`Kapı did not report its thread pool:\n${kapi.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { kapi, issuer };
}

// /proc and named pool threads are Linux's: elsewhere the feature changes nothing and there is nothing to observe.
const linux = process.platform === 'linux';

describe('the server lowers its pool threads priority', () => {
  (linux ? it : it.skip)('libuv pool threads run at nice 10 by default; the event loop keeps its priority', async () => {
    const { kapi } = await started({});
    try {
      const all = threads(kapi.pid!);
      const pool = all.filter((t) => t.name === 'libuv-worker');
      expect(pool.length).toBe(4);
      expect(pool.map((t) => t.nice)).toEqual([10, 10, 10, 10]);
      expect(all.filter((t) => t.name !== 'libuv-worker').every((t) => t.nice === 0)).toBe(true);
      expect(kapi.output()).toMatch(/"poolThreadsReniced":4/);
    } finally {
      await kapi.stop();
    }
  });

  (linux ? it : it.skip)('KAPI_POOL_NICE=0 leaves them alone; KAPI_ARGON2_CONCURRENCY still wins over the default', async () => {
    const { kapi } = await started({ KAPI_POOL_NICE: '0', KAPI_ARGON2_CONCURRENCY: '3' });
    try {
      expect(threads(kapi.pid!).every((t) => t.nice === 0)).toBe(true);
      expect(kapi.output()).toMatch(/"argon2Concurrency":3,"poolThreadsReniced":0/);
    } finally {
      await kapi.stop();
    }
  });
});
