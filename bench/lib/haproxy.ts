import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// A private HAProxy (the Debian `haproxy` package) in front of several Kapı processes, as a deployment
// runs them (issue 22 point 3): its own configuration file in a temporary directory, its own ports
// (never the installed service), stopped by its own pid. Used by the many-processes drill, the bench's
// "two processes" target and the soak.
//
// The HTTP frontend balances over every Kapı process; a request carrying `x-kapi-process: <name>` goes to
// that process only (a test's way to continue a sign-in on the other process at every step), and every
// answer says which process served it (`x-kapi-served-by`). The proxy adds X-Forwarded-For and
// X-Forwarded-Proto, which Kapı trusts for one hop (KAPI_TRUST_PROXY_HOPS=1).
// An optional TCP frontend stands for a database endpoint (what Patroni's HAProxy does): the soak moves it
// from a Postgres primary to its promoted replica through the runtime API (admin socket).

export const HAS_HAPROXY = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;

export interface Backend {
  name: string; // [a-z0-9]+
  port: number;
}

export interface PrivateHaproxy {
  /** The URL of the HTTP frontend (the issuer of the Kapı processes behind it). */
  url: string;
  port: number;
  /** The TCP frontend's port, when asked for (a database endpoint). */
  tcpPort?: number;
  pid: number;
  /** CPU seconds the proxy has used so far (from /proc), NaN when unreadable. */
  cpuSeconds(): number;
  /** A command of HAProxy's runtime API (e.g. `set server pg/primary state maint`); returns its answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  port: number;
  kapi: Backend[];
  /** How the shared backend spreads requests: `leastconn` lets a process on a busier core take fewer. */
  balance?: 'roundrobin' | 'leastconn';
  /** A TCP frontend on `port` over `servers`; the first is active, the others are `backup`. */
  tcp?: { port: number; servers: Backend[] };
  /** An HTTP health check of every Kapı process (a dead one leaves the rotation within ~1.5 s; a check may take 2 s). */
  check?: boolean;
}

export function haproxyConfig(options: HaproxyOptions, socket: string): string {
  // A check may take 2 s (HAProxy's default is the interval, 0.5 s): on a loaded machine a live process's
  // /healthz can be that late, and taking both processes out at once answers 503s no failover caused.
  const check = options.check ? ' check inter 500 fall 3 rise 1' : '';
  const lines = [
    'global',
    '  maxconn 4096',
    '  nbthread 1',
    `  stats socket ${socket} mode 600 level admin`,
    'defaults',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 4s',
    'frontend kapi',
    '  mode http',
    `  bind 127.0.0.1:${options.port}`,
    '  option forwardfor',
    '  http-request set-header X-Forwarded-Proto http',
    ...options.kapi.map((b) => `  use_backend only_${b.name} if { req.hdr(x-kapi-process) -m str ${b.name} }`),
    '  default_backend all',
    'backend all',
    '  mode http',
    `  balance ${options.balance ?? 'roundrobin'}`,
    ...(options.check ? ['  option httpchk GET /healthz', '  timeout check 2s'] : []),
    '  http-response set-header x-kapi-served-by %s',
    ...options.kapi.map((b) => `  server ${b.name} 127.0.0.1:${b.port}${check}`),
    ...options.kapi.flatMap((b) => [
      `backend only_${b.name}`,
      '  mode http',
      '  http-response set-header x-kapi-served-by %s',
      `  server ${b.name} 127.0.0.1:${b.port}`,
    ]),
  ];
  if (options.tcp) {
    lines.push('listen db', '  mode tcp', `  bind 127.0.0.1:${options.tcp.port}`, '  timeout client 1h', '  timeout server 1h');
    options.tcp.servers.forEach((s, i) => {
      lines.push(`  server ${s.name} 127.0.0.1:${s.port}${i > 0 ? ' backup' : ''}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export async function startHaproxy(options: HaproxyOptions): Promise<PrivateHaproxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kapi-haproxy-'));
  const socket = path.join(dir, 'admin.sock');
  const file = path.join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(options, socket));
  const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refused its configuration:\n${check.stderr}${check.stdout}`);
  // -db: stay in the foreground, so the child is HAProxy itself and dies with its pid.
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`haproxy exited during start:\n${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(options.port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not listen on ${options.port} within 10 s:\n${err}`);
    }
    await sleep(50);
  }
  return {
    url,
    port: options.port,
    tcpPort: options.tcp?.port,
    pid: child.pid!,
    cpuSeconds() {
      try {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return NaN;
      }
    },
    command(line: string) {
      return new Promise((resolve, reject) => {
        const s = connect(socket);
        let out = '';
        s.on('data', (d: Buffer) => (out += d.toString('utf8')));
        s.on('end', () => resolve(out.trim()));
        s.on('error', reject);
        s.end(`${line}\n`);
      });
    },
    async stop() {
      if (!exited) {
        const gone = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
