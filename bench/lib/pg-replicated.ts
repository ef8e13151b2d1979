import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

// A private Postgres primary and its streaming replica (the soak, issue 22 point 6): initdb and
// pg_basebackup into a temporary directory, on ports of their own, never the installed cluster. initdb
// refuses root, so as root every server program runs as the `postgres` user (runuser). `failover()` is
// what an HA manager does when the primary dies: the replica is promoted and takes writes.

const run = promisify(execFile);

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

export interface ReplicatedPostgres {
  primaryPort: number;
  replicaPort: number;
  /** Creates a database on the primary (the replica follows). */
  createDatabase(name: string): Promise<void>;
  /** Bytes of WAL the replica has not replayed yet (0 when caught up). */
  replicaLag(): Promise<number>;
  /** The primary dies at once (immediate shutdown, as a crash). */
  killPrimary(): Promise<void>;
  /** The replica is promoted and accepts writes; resolves when it does. */
  promoteReplica(): Promise<void>;
  destroy(): Promise<void>;
}

async function query(port: number, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end().catch(() => {});
  }
}

export async function replicatedPostgres(primaryPort: number, replicaPort: number): Promise<ReplicatedPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-soak-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(uid.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]) : run(path.join(bin, cmd), args);
  const primary = path.join(dir, 'primary');
  const replica = path.join(dir, 'replica');
  // fsync off: the soak measures Kapı through a failover, not the disk; the replication is the real one.
  const options = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c fsync=off -c full_page_writes=off -c max_connections=80`;
  await as('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  await as('pg_ctl', ['-D', primary, '-o', options(primaryPort), '-l', path.join(dir, 'primary.log'), '-w', '-t', '30', 'start']);
  // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
  await as('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream', '--no-sync']);
  await as('pg_ctl', ['-D', replica, '-o', options(replicaPort), '-l', path.join(dir, 'replica.log'), '-w', '-t', '30', 'start']);
  let primaryRunning = true;
  let replicaRunning = true;
  return {
    primaryPort,
    replicaPort,
    async createDatabase(name) {
      await query(primaryPort, `CREATE DATABASE ${name.replace(/[^a-z0-9_]/g, '')}`);
    },
    async replicaLag() {
      const r = await query(primaryPort, 'SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), -1)::bigint AS lag FROM pg_stat_replication');
      return Number(r.rows[0]?.lag ?? -1);
    },
    async killPrimary() {
      primaryRunning = false;
      await as('pg_ctl', ['-D', primary, '-m', 'immediate', '-w', '-t', '20', 'stop']);
    },
    async promoteReplica() {
      await as('pg_ctl', ['-D', replica, '-w', '-t', '30', 'promote']);
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        const r = await query(replicaPort, 'SELECT pg_is_in_recovery() AS recovery').catch(() => undefined);
        if (r && r.rows[0]?.recovery === false) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the promoted replica still reports recovery after 30 s');
    },
    async destroy() {
      if (primaryRunning) await as('pg_ctl', ['-D', primary, '-m', 'immediate', '-w', '-t', '20', 'stop']).catch(() => {});
      if (replicaRunning) await as('pg_ctl', ['-D', replica, '-m', 'immediate', '-w', '-t', '20', 'stop']).catch(() => {});
      primaryRunning = false;
      replicaRunning = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
