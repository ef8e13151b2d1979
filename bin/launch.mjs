#!/usr/bin/env node
// Runs `node <args>` on Node 22 or newer. oidc-provider 9 needs Node 22; on an older Node this
// launcher fetches Node 22 from the npm registry once (npx caches it) so `npm start` and `npm test`
// still work on machines that ship an older runtime. Nothing else in Kapı knows about this file.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const MIN_MAJOR = 22;
const args = process.argv.slice(2);
const major = Number(process.versions.node.split('.')[0]);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let command = process.execPath;
let commandArgs = args;
if (major < MIN_MAJOR) {
  process.stderr.write(`kapı: Node ${process.versions.node} is older than ${MIN_MAJOR}; running under Node ${MIN_MAJOR} from the npm registry\n`);
  // Ask npx for the path of its Node binary and run that directly: going through npx would put a process
  // between this launcher and Node that does not pass SIGTERM on (the server would outlive a stop).
  const found = spawnSync('npx', ['-y', `node@${MIN_MAJOR}`, '-e', 'process.stdout.write(process.execPath)'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (found.status === 0 && found.stdout) {
    command = found.stdout;
  } else {
    command = 'npx';
    commandArgs = ['-y', `node@${MIN_MAJOR}`, ...args];
  }
}

// The server's malloc settings (SERVER_ENV in src/runtime/node-flags.ts, which explains them; a test keeps
// the two equal): glibc reads them when the process starts, so they go in the server's environment here.
// A value the operator set wins.
const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };
const serverEnv = args.includes('src/main.ts') ? SERVER_ENV : {};
const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: process.cwd(), env: { ...serverEnv, ...process.env, KAPI_ROOT: root } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
