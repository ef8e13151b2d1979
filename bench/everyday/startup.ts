// Part of `npm run bench:everyday` (bench/everyday/run.ts), issue 24 point 4: the time from `npm start`
// to the first answer. The server is started with the command line `npm start` runs (package.json:
// the launcher, the node flags, bin/start.mjs; npm's own start, about 0.3 s, is not in it), and the
// discovery document is asked for every 20 ms until it answers 200. Cold: a fresh data directory (or a
// fresh Postgres database and Redis prefix): PGlite's first start, the migrations, the signing keys.
// Warm: the same one again. Each beside the same start running the TypeScript sources through tsx
// (KAPI_RUN_SOURCES=1, what `npm start` did before the build).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freeLowPort } from '../lib/ports.js';
import { median } from '../lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type Backend = 'embedded' | 'postgres+redis';
export type Code = 'compiled' | 'sources';

export interface StartupRow {
  backend: Backend;
  code: Code;
  cold: number[];
  warm: number[];
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

class PortTaken extends Error {}

/** As below, on another port when one of the demo's (PORT + 1 to + 3) turns out to be taken. */
async function timeToFirstAnswer(env: NodeJS.ProcessEnv): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

/** Starts the server, waits for discovery to answer, stops it; the milliseconds from spawn to the answer. */
async function startOnce(env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freeLowPort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/launch.mjs'), '--no-memory-reducer', path.join(ROOT, 'bin/start.mjs')], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), KAPI_ISSUER: `http://127.0.0.1:${port}`, KAPI_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) {
        if (stderr.includes('EADDRINUSE')) throw new PortTaken(stderr.slice(-300));
        throw new Error(`the server exited (${child.exitCode}): ${stderr.slice(-800)}`);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (performance.now() - started > 180_000) throw new Error(`no answer in 180 s: ${stderr.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function measureStartup(options: { runs: number; backends: Backend[]; log: (line: string) => void }): Promise<StartupRow[]> {
  const rows: StartupRow[] = [];
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', KAPI_DEMO: 'true' };
  for (const backend of options.backends) {
    for (const code of ['compiled', 'sources'] as const) {
      const row: StartupRow = { backend, code, cold: [], warm: [] };
      for (let run = 0; run < options.runs; run++) {
        // A fresh place for each cold start, reused by the warm start after it.
        const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kapi-startup-'));
        const database = backend === 'postgres+redis' ? `kapi_startup_${randomBytes(5).toString('hex')}` : undefined;
        const env: NodeJS.ProcessEnv = { ...base, DATA_DIR: dataDir, ...(code === 'sources' ? { KAPI_RUN_SOURCES: '1' } : {}) };
        if (database) {
          await admin(`CREATE DATABASE ${database}`);
          const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
          url.pathname = `/${database}`;
          Object.assign(env, {
            DATABASE_URL: url.toString(),
            REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
            KAPI_REDIS_PREFIX: `kapi-startup-${randomBytes(4).toString('hex')}:`,
          });
        }
        try {
          row.cold.push(await timeToFirstAnswer(env));
          row.warm.push(await timeToFirstAnswer(env));
        } finally {
          await rm(dataDir, { recursive: true, force: true });
          if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        }
      }
      options.log(`  ${backend}, ${code}: cold ${median(row.cold).toFixed(0)} ms, warm ${median(row.warm).toFixed(0)} ms (medians of ${options.runs})`);
      rows.push(row);
    }
  }
  return rows;
}
