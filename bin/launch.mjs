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

const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: process.cwd(), env: { ...process.env, KAPI_ROOT: root } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
