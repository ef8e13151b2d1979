import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freeLowPort } from './ports.js';

// Private Redis servers for the soak (issue 22 point 6), from the Debian redis-server package, on ports of
// their own (never the installed service). Two shapes:
// - `sentinel`: a primary, a replica and three sentinels; `failover()` kills the primary and waits until
//   the sentinels have promoted the replica, then starts the old primary again (the sentinels make it a
//   replica of the new one). Kapı reaches it through KAPI_REDIS_SENTINELS.
// - `restart`: one server with an append-only file; `failover()` kills it (SIGKILL, a crash) and starts it
//   again on the same port. For a Kapı without Sentinel support: REDIS_URL.

export const SENTINEL_MASTER = 'kapi-soak';

interface Server {
  port: number;
  child?: ChildProcess;
  args: string[];
  command: string;
}

async function ping(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    r.on('error', () => {});
    const ok = await r
      .connect()
      .then(() => r.ping())
      .then(
        (p) => p === 'PONG',
        () => false,
      );
    r.disconnect();
    if (ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`redis on ${port} did not answer within ${ms} ms`);
}

async function start(s: Server): Promise<void> {
  s.child = spawn(s.command, s.args, { stdio: 'ignore' });
  await ping(s.port);
}

async function kill(s: Server): Promise<void> {
  const c = s.child;
  s.child = undefined;
  if (!c || c.exitCode !== null) return;
  const gone = once(c, 'exit');
  c.kill('SIGKILL');
  await gone;
}

export interface RedisHa {
  kind: 'sentinel' | 'restart';
  /** Kapı's environment for it. */
  env: Record<string, string>;
  /** The port of the current primary. */
  primaryPort(): Promise<number>;
  /** The failure and the recovery; resolves when writes are possible again (what the operator sees). */
  failover(): Promise<{ what: string }>;
  stop(): Promise<void>;
}

export async function redisHa(kind: 'sentinel' | 'restart'): Promise<RedisHa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-soak-redis-'));
  const server = (port: number, extra: string[] = []): Server => ({
    port,
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--dir',
      dir,
      '--dbfilename',
      `dump-${port}.rdb`,
      '--appendfilename',
      `aof-${port}.aof`,
      '--appenddirname',
      `aof-${port}`,
      ...extra,
    ],
  });
  if (kind === 'restart') {
    // With an append-only file (fsync every second): a restart keeps what was written, as a production
    // Redis that is restarted would; a crash loses at most the last second.
    const s = server(await freeLowPort(), ['--appendonly', 'yes', '--appendfsync', 'everysec']);
    await start(s);
    return {
      kind,
      env: { REDIS_URL: `redis://127.0.0.1:${s.port}` },
      primaryPort: async () => s.port,
      async failover() {
        await kill(s);
        await new Promise((r) => setTimeout(r, 1000)); // the process manager's restart delay
        await start(s);
        return { what: 'Redis killed (SIGKILL) and started again after 1 s (append-only file, fsync every second)' };
      },
      async stop() {
        await kill(s);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  const primary = server(await freeLowPort());
  const replica = server(await freeLowPort(), ['--replicaof', '127.0.0.1', String(primary.port)]);
  await start(primary);
  await start(replica);
  const sentinels: Server[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeLowPort();
    const file = path.join(dir, `sentinel-${port}.conf`);
    // The sentinel rewrites its file (known replicas, epochs): one per sentinel, in the soak's directory.
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        '',
      ].join('\n'),
    );
    const s: Server = { port, command: 'redis-sentinel', args: [file] };
    await start(s);
    sentinels.push(s);
  }
  const masterPort = async (): Promise<number> => {
    const r = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      const addr = (await r.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER)) as [string, string] | null;
      return Number(addr?.[1] ?? NaN);
    } finally {
      r.disconnect();
    }
  };
  // The replica has synchronised before anything starts.
  const end = Date.now() + 15_000;
  for (;;) {
    const r = new Redis({ port: replica.port, host: '127.0.0.1' });
    const info = await r.info('replication');
    r.disconnect();
    if (/master_link_status:up/.test(info)) break;
    if (Date.now() > end) throw new Error('the Redis replica did not synchronise within 15 s');
    await new Promise((res) => setTimeout(res, 200));
  }
  const byPort = new Map([
    [primary.port, primary],
    [replica.port, replica],
  ]);
  return {
    kind,
    env: { KAPI_REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), KAPI_REDIS_SENTINEL_MASTER: SENTINEL_MASTER },
    primaryPort: masterPort,
    async failover() {
      const before = await masterPort();
      const old = byPort.get(before)!;
      await kill(old);
      const until = Date.now() + 60_000;
      let after = before;
      while (after === before && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 200));
        after = await masterPort().catch(() => before);
      }
      if (after === before) throw new Error('the sentinels did not promote the replica within 60 s');
      // The old primary comes back; the sentinels turn it into a replica of the new one.
      await start(old);
      return {
        what: `Redis primary (port ${before}) killed (SIGKILL); the sentinels promoted the replica (port ${after}); the old primary was started again, empty, for the sentinels to turn into a replica of the new one`,
      };
    },
    async stop() {
      for (const s of [...sentinels, primary, replica]) await kill(s);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
