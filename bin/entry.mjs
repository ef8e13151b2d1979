// Shared by the package's commands (kapi, kapi-signer, kapi-device; package.json "bin") and `npm start`
// (bin/start.mjs): runs a Kapı entry module in this process. The compiled JavaScript from `npm run
// build` when it is up to date (bin/build-state.mjs), else the TypeScript source through tsx, saying
// why. On a Node older than 22 the same command is run again under Node 22 (bin/node22.mjs: its path
// is cached, so that costs one more Node start, not a search). Standard input is inherited (the
// signer's hidden PIN prompt and --pin-stdin use it).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry } from './build-state.mjs';
import { findNode22, isNodeRecentEnough, MIN_NODE_MAJOR } from './node22.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** This same command (node flags, script, arguments) under Node 22; exits with its code. */
function rerunUnderNode22(name) {
  const again = [...process.execArgv, process.argv[1], ...process.argv.slice(2)];
  const node22 = findNode22();
  const [command, args] = node22 ? [node22, again] : ['npx', ['-y', `node@${MIN_NODE_MAJOR}`, ...again]];
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`${name}: could not start Node ${MIN_NODE_MAJOR}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/**
 * Runs `entry` (a path from the package root without extension: 'src/cli/main'). `notice`: when the
 * sources run instead of the build, say why on stderr 'always' (the server) or only to a person at a
 * terminal ('tty': scripts and tests reading a command's stderr see what they always saw).
 */
export async function runEntry(name, entry, { notice = 'tty' } = {}) {
  if (!isNodeRecentEnough()) return rerunUnderNode22(name);
  // KAPI_RUN_SOURCES=1: the sources even when the build is up to date (to compare the two, or to debug).
  const compiled = process.env.KAPI_RUN_SOURCES === '1' ? { reason: 'KAPI_RUN_SOURCES=1' } : compiledEntry(root, entry);
  if (compiled.file) return import(pathToFileURL(compiled.file).href);
  if (notice === 'always' || process.stderr.isTTY)
    process.stderr.write(
      `${name}: running the TypeScript sources with tsx (${compiled.reason}${process.env.KAPI_RUN_SOURCES === '1' ? '' : '; `npm run build` makes it start faster'})\n`,
    );
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch (err) {
    process.stderr.write(`${name}: tsx is not installed in ${root} (run npm install there): ${err.message}\n`);
    process.exit(1);
  }
  return import(pathToFileURL(path.join(root, `${entry}.ts`)).href);
}
