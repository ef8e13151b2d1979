import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { drillPort } from './redis-drill-servers.js';
import { waitFor } from './wait.js';
import { postgresBin } from './faults-services.js';

// A streaming-replicated Postgres of the drills (test/drills/): a primary made by `initdb`, a replica
// made by `pg_basebackup -R`, each with its own data directory in a temporary folder and its own port
// below 55535, run as the postgres system user when the tests run as root (initdb refuses root). In
// front of them an "endpoint": a TCP forwarder that the test moves from one server to the other, as
// HAProxy does under Patroni (cutting the sessions of the server it leaves).

const run = promisify(execFile);

export function postgresDrillSkipReason(): string | undefined {
  return postgresBin('pg_basebackup') ? undefined : 'no PostgreSQL server binaries (initdb, pg_basebackup) under /usr/lib/postgresql/*/bin';
}

export interface DrillPostgres {
  primaryPort: number;
  replicaPort: number;
  /** Crash the primary (immediate shutdown: no checkpoint, as a power cut). */
  crashPrimary(): Promise<void>;
  promoteReplica(): Promise<void>;
  /** Rows of a query on one server directly. */
  query<T>(port: number, database: string, sql: string): Promise<T[]>;
  stop(): Promise<void>;
}

export async function replicatedPostgres(): Promise<DrillPostgres> {
  const bin = postgresBin('pg_basebackup');
  if (!bin) throw new Error('no PostgreSQL server binaries');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-drill-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
  }
  const as = (program: string, args: string[]) =>
    run(...((asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]] : [path.join(bin, program), args]) as [string, string[]]), {
      timeout: 60_000,
    });
  const [primaryPort, replicaPort] = [await drillPort(), await drillPort()];
  const primaryData = path.join(dir, 'primary');
  const replicaData = path.join(dir, 'replica');
  const options = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on`;
  const running = new Set<string>();
  const start = async (data: string, port: number) => {
    await as('pg_ctl', ['-D', data, '-o', options(port), '-l', `${data}.log`, '-w', '-t', '30', 'start']);
    running.add(data);
  };
  const stopServer = async (data: string, mode: 'fast' | 'immediate') => {
    if (!running.delete(data)) return;
    await as('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']).catch(() => undefined);
  };
  const query = async <T>(port: number, database: string, sql: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}`, connectionTimeoutMillis: 1000 });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end().catch(() => {});
    }
  };
  const self: DrillPostgres = {
    primaryPort,
    replicaPort,
    query,
    async crashPrimary() {
      await stopServer(primaryData, 'immediate');
    },
    async promoteReplica() {
      await as('pg_ctl', ['-D', replicaData, '-w', '-t', '30', 'promote']);
    },
    async stop() {
      await Promise.all([stopServer(primaryData, 'immediate'), stopServer(replicaData, 'immediate')]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    // initdb's pg_hba.conf trusts local and 127.0.0.1 connections, replication ones included.
    await as('initdb', ['-D', primaryData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await start(primaryData, primaryPort);
    await as('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaData, '-R', '-X', 'stream', '--no-sync']);
    await start(replicaData, replicaPort);
    await waitFor(
      async () =>
        (await query<{ n: string }>(primaryPort, 'postgres', "select count(*) as n from pg_stat_replication where state = 'streaming'"))[0]?.n === '1',
      15_000,
      'the replica streaming',
    );
  } catch (err) {
    await self.stop();
    throw err;
  }
  return self;
}

export interface Endpoint {
  port: number;
  /** Points new connections at `port`, and cuts every connection made to the old target. */
  move(port: number): void;
  close(): Promise<void>;
}

/** The database endpoint a deployment gives Kapı: a plain TCP forwarder, moved by the test. */
export async function tcpEndpoint(target: number): Promise<Endpoint> {
  const port = await drillPort();
  const pairs = new Set<[Socket, Socket]>();
  let current = target;
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: current });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    move(next) {
      current = next;
      for (const [inbound, outbound] of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    async close() {
      for (const [inbound, outbound] of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
