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

const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: process.cwd(), env: { ...process.env, KAPI_ROOT: root } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
