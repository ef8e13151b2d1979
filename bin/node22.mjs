// Where to find a Node 22 or newer, for the launcher (bin/launch.mjs) and the commands (bin/entry.mjs).
// oidc-provider 9 needs Node 22. On an older system Node, Node 22 is fetched from the npm registry
// once by npx; asking npx for its path takes about half a second even when npx has it already, so the
// answer is kept in a small file (per user, beside npx's own cache) and checked by one stat afterwards.
// KAPI_NODE=/path/to/node names one outright.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MIN_NODE_MAJOR = 22;

/** True when this process already runs on a Node new enough for Kapı. */
export function isNodeRecentEnough(version = process.versions.node) {
  return Number(version.split('.')[0]) >= MIN_NODE_MAJOR;
}

/** $XDG_CACHE_HOME/kapi/node22.json (~/.cache/kapi/node22.json by default). */
export function node22CacheFile(env = process.env) {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kapi', `node${MIN_NODE_MAJOR}.json`);
}

function cached(file) {
  try {
    const { execPath } = JSON.parse(readFileSync(file, 'utf8'));
    return typeof execPath === 'string' && existsSync(execPath) ? execPath : undefined;
  } catch {
    return undefined; // no cache yet, or unreadable: look it up again
  }
}

function remember(file, execPath) {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ execPath, savedAt: new Date().toISOString() })}\n`);
  } catch {
    // A read-only home: the next command asks npx again, which is slower, not wrong.
  }
}

/**
 * The path of a Node 22+ binary: KAPI_NODE, the cached answer if that file still exists, else npx's
 * (fetching Node 22 the first time, which prints a line on stderr). Undefined when npx cannot tell.
 */
export function findNode22({ env = process.env, notice = (line) => process.stderr.write(line) } = {}) {
  if (env.KAPI_NODE) return env.KAPI_NODE;
  const file = node22CacheFile(env);
  const known = cached(file);
  if (known) return known;
  notice(
    `kapı: Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}; looking up Node ${MIN_NODE_MAJOR} from the npm registry (once: the path is kept in ${file})\n`,
  );
  // npx prints the path of its Node binary; Kapı runs that binary directly: going through npx would put
  // a process in between that does not pass SIGTERM on (the server would outlive a stop).
  const found = spawnSync('npx', ['-y', `node@${MIN_NODE_MAJOR}`, '-e', 'process.stdout.write(process.execPath)'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  if (found.status !== 0 || !found.stdout) return undefined;
  remember(file, found.stdout);
  return found.stdout;
}
