#!/usr/bin/env node
// The `kapi-signer` command (package.json "bin"), the citizen's card helper: runs src/signer/main.ts
// with tsx through bin/launch.mjs (the same way bin/kapi.mjs runs the operator's command), so it works
// from any directory and on machines whose system Node is older than 22. Standard input is inherited,
// which is how --pin-stdin and the hidden PIN prompt reach the signer.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// tsx is resolved from this package (not from the caller's working directory, which is what a bare
// `--import tsx` would do) and handed to Node as an absolute file URL.
function tsxLoader() {
  try {
    return pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('tsx')).href;
  } catch {
    const fallback = path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    if (existsSync(fallback)) return pathToFileURL(fallback).href;
    process.stderr.write(`kapi-signer: tsx is not installed in ${root} (run npm install there)\n`);
    process.exit(1);
  }
}

const child = spawn(
  process.execPath,
  [path.join(root, 'bin', 'launch.mjs'), '--import', tsxLoader(), path.join(root, 'src', 'signer', 'main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: process.cwd(), env: process.env },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  process.stderr.write(`kapi-signer: could not start: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
