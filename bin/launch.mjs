#!/usr/bin/env node
// Runs `node <args>` on Node 22 or newer (npm start, npm test, npm run typecheck and bench use it).
// oidc-provider 9 needs Node 22; on an older Node it runs the Node 22 that bin/node22.mjs finds (fetched
// once from the npm registry by npx, its path cached), so the npm scripts still work on machines that
// ship an older runtime. Nothing else in Kapı knows about this file.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { findNode22, isNodeRecentEnough, MIN_NODE_MAJOR } from './node22.mjs';

const args = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let command = process.execPath;
let commandArgs = args;
if (!isNodeRecentEnough()) {
  const node22 = findNode22();
  if (node22) {
    command = node22;
  } else {
    command = 'npx';
    commandArgs = ['-y', `node@${MIN_NODE_MAJOR}`, ...args];
  }
}

// The server's malloc settings (SERVER_ENV in src/runtime/node-flags.ts, which explains them; a test keeps
// the two equal): glibc reads them when the process starts, so they go in the server's environment here.
// A value the operator set wins.
const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };
// The server: npm start's entry (bin/start.mjs, the build or the sources), or src/main.ts named directly.
const isServer = args.some((arg) => arg === 'src/main.ts' || arg.endsWith('bin/start.mjs'));
const serverEnv = isServer ? SERVER_ENV : {};
const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: process.cwd(), env: { ...serverEnv, ...process.env, KAPI_ROOT: root } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
