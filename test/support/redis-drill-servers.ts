import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

// Redis deployments of the drills (test/drills/): real redis-server programs from the Debian package,
// each with its own config file and directory in a temporary folder, on free loopback ports below
// 55535 (a cluster node also listens on its port + 10000). Never the machine's own Redis on 6379.

const run = promisify(execFile);

/** Why the Redis drills cannot run here (undefined when they can); CI=true makes it a failure. */
export function redisDrillSkipReason(): string | undefined {
  for (const program of ['redis-server', 'redis-cli']) {
    if (!(process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, program)))) return `${program} is not installed`;
  }
  return undefined;
}

async function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/** A free loopback port in 20000–55000 (and, for a cluster node, its bus port + 10000 free too). */
export async function drillPort(bus = false): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(port) || (bus && taken.has(port + 10_000))) continue;
    if (!(await canListen(port)) || (bus && !(await canListen(port + 10_000)))) continue;
    taken.add(port);
    if (bus) taken.add(port + 10_000);
    return port;
  }
  throw new Error('no free port below 55535');
}

/** A short-lived command connection to one server (no reconnects). */
export async function withRedis<T>(port: number, password: string | undefined, use: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    enableOfflineQueue: false,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return await use(r);
  } finally {
    r.disconnect();
  }
}

export interface RedisProcess {
  port: number;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  start(extra?: string[]): Promise<void>;
}

async function startProcess(
  dir: string,
  name: string,
  port: number,
  lines: string[],
  sentinel = false,
  password?: string,
  extra: string[] = [],
): Promise<{ child: ChildProcess }> {
  const conf = path.join(dir, `${name}.conf`);
  await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${path.join(dir, `${name}.log`)}`, ...lines, ''].join('\n'));
  const child = spawn('redis-server', [conf, ...(sentinel ? ['--sentinel'] : []), ...extra], { stdio: 'ignore' });
  await waitFor(() => withRedis(port, password, async (r) => (await r.ping()) === 'PONG'), 10_000, `${name} on ${port}`);
  return { child };
}

function processHandle(
  dir: string,
  name: string,
  port: number,
  lines: string[],
  sentinel: boolean,
  password: string | undefined,
): RedisProcess & { stopAll(): Promise<void> } {
  let child: ChildProcess | undefined;
  const handle = {
    port,
    async start(extra: string[] = []) {
      child = (await startProcess(dir, name, port, lines, sentinel, password, extra)).child;
    },
    async kill() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    async stopAll() {
      await handle.kill();
    },
  };
  return handle;
}

const DATA_NODE = ['save ""', 'appendonly no', 'protected-mode no'];

export interface DrillCluster {
  nodes: RedisProcess[];
  seeds: string;
  stop(): Promise<void>;
}

/** Three masters, no replicas, created with `redis-cli --cluster create`; all 16384 slots covered. */
export async function redisCluster(): Promise<DrillCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-drill-cluster-'));
  const ports = [await drillPort(true), await drillPort(true), await drillPort(true)];
  const nodes = ports.map((port, i) =>
    processHandle(
      dir,
      `node-${i}`,
      port,
      [...DATA_NODE, 'cluster-enabled yes', `cluster-config-file nodes-${port}.conf`, 'cluster-node-timeout 2000'],
      false,
      undefined,
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stopAll()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    for (const port of ports) {
      await waitFor(
        () => withRedis(port, undefined, async (r) => /cluster_state:ok/.test(String(await r.call('CLUSTER', 'INFO')))),
        15_000,
        `cluster state ok on ${port}`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, seeds: ports.map((p) => `127.0.0.1:${p}`).join(','), stop };
}

export const SENTINEL_MASTER = 'kapi-drill';

export interface DrillSentinels {
  primary: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** KAPI_REDIS_SENTINELS */
  addresses: string;
  /** The port the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  /** The port each sentinel names as primary now (0 for a sentinel that does not answer). */
  primaryPorts(): Promise<number[]>;
  /**
   * Waits until every sentinel names `primary` as the primary with no failover under way, and `replica`
   * is linked to it (master_link_status:up) and has caught up with the primary's replication offset as
   * read just before: the state in which a write can be confirmed by a replica (WAIT 1).
   */
  settled(primary: number, replica: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary, one replica and three sentinels (quorum 2), with passwords on the data nodes and on the
 * sentinels; short down-after and failover timeouts so that a failover takes a few seconds.
 *
 * down-after-milliseconds is 3000, not less: a sentinel pings at most once a second, and after every
 * +switch-master it starts a new record of the promoted primary that needs a PONG on a new connection
 * within down-after. With 1000 ms, a sentinel held off the CPU for a second (CI: three jest workers on
 * two cores) judged the healthy new primary down, two sentinels agreed, and they failed over a second
 * time to the server just restarted as a replica, leaving two primaries without replicas: every write
 * that must wait for a replica answered 503 (seen in the drill's logs: +sdown and +odown of the new
 * primary 1.01 s after +switch-master, then a second +switch-master back to the old port).
 */
export async function redisSentinels(passwords: { redis: string; sentinel: string }): Promise<DrillSentinels> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-drill-sentinel-'));
  const [primaryPort, replicaPort, ...sentinelPorts] = [await drillPort(), await drillPort(), await drillPort(), await drillPort(), await drillPort()] as [
    number,
    number,
    number,
    number,
    number,
  ];
  const auth = [`requirepass ${passwords.redis}`, `masterauth ${passwords.redis}`];
  const primary = processHandle(dir, 'primary', primaryPort, [...DATA_NODE, ...auth], false, passwords.redis);
  const replica = processHandle(dir, 'replica', replicaPort, [...DATA_NODE, ...auth, `replicaof 127.0.0.1 ${primaryPort}`], false, passwords.redis);
  const sentinels = sentinelPorts.map((port, i) =>
    processHandle(
      dir,
      `sentinel-${i}`,
      port,
      [
        'protected-mode no',
        `requirepass ${passwords.sentinel}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primaryPort} 2`,
        `sentinel auth-pass ${SENTINEL_MASTER} ${passwords.redis}`,
        // Sentinels talk to each other with the password they require themselves.
        `sentinel sentinel-pass ${passwords.sentinel}`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 3000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 4000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
      ],
      true,
      passwords.sentinel,
    ),
  );
  const all = [primary, replica, ...sentinels];
  const stop = async () => {
    await Promise.all(all.map((n) => n.stopAll()));
    await rm(dir, { recursive: true, force: true });
  };
  const primaryPortNow = () =>
    withRedis(sentinelPorts[0]!, passwords.sentinel, async (r) =>
      Number(((await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER)) as string[])[1]),
    );
  const primaryPorts = () =>
    Promise.all(
      sentinelPorts.map((port) =>
        withRedis(port, passwords.sentinel, async (r) => Number(((await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER)) as string[])[1])).catch(
          () => 0,
        ),
      ),
    );
  const offset = (info: string) => Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? -1);
  const settled = async (primaryPort: number, replicaPort: number, timeoutMs = 20_000) => {
    await waitFor(
      async () => {
        for (const port of sentinelPorts) {
          const ok = await withRedis(port, passwords.sentinel, async (r) => {
            const master = (await r.call('SENTINEL', 'MASTER', SENTINEL_MASTER)) as string[];
            const field = (name: string) => master[master.indexOf(name) + 1];
            return Number(field('port')) === primaryPort && field('flags') === 'master';
          });
          if (!ok) return false;
        }
        const primaryOffset = await withRedis(primaryPort, passwords.redis, async (r) => {
          const info = await r.info('replication');
          return /role:master/.test(info) ? offset(info) : -1;
        });
        return withRedis(replicaPort, passwords.redis, async (r) => {
          const info = await r.info('replication');
          return (
            primaryOffset >= 0 && new RegExp(`master_port:${primaryPort}\\b`).test(info) && /master_link_status:up/.test(info) && offset(info) >= primaryOffset
          );
        });
      },
      timeoutMs,
      `the sentinels agreeing on ${primaryPort} as primary, and ${replicaPort} linked to it and caught up`,
    );
  };
  try {
    await primary.start();
    await replica.start();
    await waitFor(
      () => withRedis(replicaPort, passwords.redis, async (r) => /master_link_status:up/.test(await r.info('replication'))),
      10_000,
      'replica in sync',
    );
    await Promise.all(sentinels.map((s) => s.start()));
    // Every sentinel knows the replica and the other sentinels before anything is killed.
    for (const port of sentinelPorts) {
      await waitFor(
        () =>
          withRedis(port, passwords.sentinel, async (r) => {
            const master = (await r.call('SENTINEL', 'MASTER', SENTINEL_MASTER)) as string[];
            const field = (name: string) => Number(master[master.indexOf(name) + 1]);
            return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
          }),
        15_000,
        `sentinel ${port} discovering the replica and its peers`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    primary,
    replica,
    sentinels,
    addresses: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    primaryPort: primaryPortNow,
    primaryPorts,
    settled,
    stop,
  };
}

/** One plain redis-server (the Postgres drill's short-lived state). */
export async function singleRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-drill-redis-'));
  const port = await drillPort();
  const node = processHandle(dir, 'redis', port, DATA_NODE, false, undefined);
  await node.start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await node.stopAll();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
