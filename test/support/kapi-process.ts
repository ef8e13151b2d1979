import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../../src/runtime/node-flags.js';

// Kapı as an operator runs it: `src/main.ts` in a child process of its own (the same Node as the test,
// which is 22+, with tsx and the flags of `npm start`), configured only by the environment given here.
// For what happens before the composition root exists (startup, exit codes, what is printed), which an
// in-process Kapı cannot show.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface KapiProcess {
  /** The process id (undefined when it could not be started). */
  readonly pid: number | undefined;
  /** Everything the process wrote so far (standard output and error). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (Kapı's own graceful shutdown), SIGKILL if it is still there after 15 s. */
  stop(): Promise<void>;
}

export function spawnKapi(env: Record<string, string>): KapiProcess {
  // Not the test's whole environment: CI's DATABASE_URL / REDIS_URL must not leak into this Kapı.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // KAPI_LOG_COPY_FILE (when a run sets it) keeps this process's log lines in the run's log scan.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...SERVER_ENV,
      ...(process.env.KAPI_LOG_COPY_FILE ? { KAPI_LOG_COPY_FILE: process.env.KAPI_LOG_COPY_FILE } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => {
      out += `spawn error: ${err.message}\n`;
      resolve({ code: null, signal: null });
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    pid: child.pid,
    output: () => out,
    exited,
    async stop() {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
