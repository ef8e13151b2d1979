import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from './kapi.js';
import { waitFor } from './wait.js';

// Private Redis and Postgres servers for the fault tests (test/faults/): started by the test on free
// loopback ports, stopped and started again at will. The shared servers on 5432/6379 are never touched.
// Locally a missing binary skips the fault tests with a printed reason (faultsSkipReason); CI=true fails.

const run = promisify(execFile);

/** The newest PostgreSQL server's bin directory that has `tool` (Debian's /usr/lib/postgresql/<version>/bin). */
export function postgresBin(tool = 'pg_ctl'): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', tool)))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

function redisBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(path.join(dir, 'redis-server'))) return path.join(dir, 'redis-server');
  return undefined;
}

/** Why the fault tests cannot run here (undefined when they can). */
export function faultsSkipReason(): string | undefined {
  if (!redisBin()) return 'redis-server is not installed';
  if (!postgresBin()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  return undefined;
}

export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** A redis-server of this test only (no persistence: a restart loses everything, the worst case). */
export async function privateRedis(): Promise<PrivateRedis> {
  const bin = redisBin();
  if (!bin) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const ping = async () => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    r.on('error', () => {});
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  };
  const self: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' });
      await waitFor(ping, 5000, `redis-server on ${port}`);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL'); // an abrupt end, as a crash would be
      });
    },
    async restart() {
      await self.stop();
      await self.start();
    },
  };
  await self.start();
  return self;
}

export interface PrivatePostgres {
  /** Server-level URL (database `postgres`). */
  adminUrl: string;
  port: number;
  /** A fresh database on this server. */
  createDatabase(name: string): Promise<string>;
  start(): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/** initdb + pg_ctl of this test only, in a temporary directory (as the postgres user when run as root). */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL server binaries');
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-faults-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // initdb refuses root: the cluster belongs to the postgres system user.
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
  await as(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ready = async () => {
    const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 500 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } finally {
      await c.end().catch(() => {});
    }
  };
  let running = false;
  const self: PrivatePostgres = {
    adminUrl,
    port,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name.replace(/[^a-z0-9_]/g, '')}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async start() {
      await as(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '20', 'start']);
      running = true;
      await waitFor(ready, 10_000, `postgres on ${port}`);
    },
    async stop(mode = 'immediate') {
      if (!running) return;
      running = false;
      await as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '20', 'stop']);
    },
    async restart() {
      await self.stop();
      await self.start();
    },
    async destroy() {
      await self.stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

/** Fixed secrets so that several Kapı instances (the "processes" of one deployment) share them. */
export const SHARED_SECRETS = {
  KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAPI_COOKIE_KEYS: 'faults-cookie-key-one-0123456789abcdef,faults-cookie-key-two-0123456789abcdef',
  KAPI_PAIRWISE_SALT: 'faults-pairwise-salt-0123456789abcdef',
};
