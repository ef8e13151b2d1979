// Shared by the package's TypeScript bins (kapi, kapi-signer): runs a TypeScript entry with tsx
// through bin/launch.mjs, so a bin works from any directory and on machines whose system Node is
// older than 22. Standard input is inherited (the signer's hidden PIN prompt and --pin-stdin use it).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// tsx is resolved from this package (not from the caller's working directory, which is what a bare
// `--import tsx` would do) and handed to Node as an absolute file URL.
function tsxLoader(name) {
  try {
    return pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('tsx')).href;
  } catch {
    const fallback = path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    if (existsSync(fallback)) return pathToFileURL(fallback).href;
    process.stderr.write(`${name}: tsx is not installed in ${root} (run npm install there)\n`);
    process.exit(1);
  }
}

/** Runs `entry` (relative to the package root) with this process's arguments and exits with its code. */
export function runTypeScript(name, entry) {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'launch.mjs'), '--import', tsxLoader(name), path.join(root, entry), ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: process.cwd(),
    env: process.env,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    process.stderr.write(`${name}: could not start: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
