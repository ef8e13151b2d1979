// Part of `npm run bench:everyday` (bench/everyday/run.ts), issue 24 point 4: how long the commands take
// to answer `--help`, measured with hyperfine (https://github.com/sharkdp/hyperfine, installed on the
// bench machine) in one session, so the rows compare as ratios. bin/kapi.mjs is what an install links
// as node_modules/.bin/kapi. "Node 22" puts the Node 22 the launcher uses first on PATH, as on a
// machine that ships Node 22; "system Node" is this machine's own `node` (on an older one the command
// starts again under Node 22: bin/node22.mjs, its path cached); npx adds npm's own start. "sources"
// runs the TypeScript through tsx (KAPI_RUN_SOURCES=1): what every command did before the build.
// --before=DIR adds the same commands from another checkout (an earlier commit) to the session.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findNode22, isNodeRecentEnough } from '../../bin/node22.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliRow {
  name: string;
  command: string;
  mean: number;
  median: number;
  min: number;
  max: number;
  /** CPU time of the command's processes (user + system, mean): what a busy machine does not stretch. */
  cpu?: number;
}

export interface CliTimes {
  systemNode: string;
  node22: string;
  rows: CliRow[];
}

export function hyperfineMissing(): string | undefined {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).error ? 'hyperfine is not installed (apt-get install hyperfine)' : undefined;
}

export async function measureCli(options: { runs: number; before?: string; log: (line: string) => void }): Promise<CliTimes> {
  const systemNode = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
  const node22 = isNodeRecentEnough(systemNode.slice(1)) ? execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim() : findNode22();
  if (!node22) throw new Error('no Node 22 found (bin/node22.mjs)');
  const on22 = `env PATH=${path.dirname(node22)}:${process.env.PATH}`;
  const commands: [string, string][] = [
    ['node -e 0 (Node 22: the floor)', `${node22} -e 0`],
    ['kapi --help (Node 22)', `${on22} ${ROOT}/bin/kapi.mjs --help`],
    ['kapi --help (Node 22, sources)', `${on22} KAPI_RUN_SOURCES=1 ${ROOT}/bin/kapi.mjs --help`],
    [`kapi --help (system Node ${systemNode})`, `${ROOT}/bin/kapi.mjs --help`],
    [`npx kapi --help (system Node ${systemNode})`, 'npx --no-install kapi --help'],
    ['kapi-signer --help (Node 22)', `${on22} ${ROOT}/bin/kapi-signer.mjs --help`],
    ['kapi-device --help (Node 22)', `${on22} ${ROOT}/bin/kapi-device.mjs --help`],
  ];
  if (options.before) {
    commands.push(
      ['before: kapi --help (Node 22)', `${on22} ${options.before}/bin/kapi.mjs --help`],
      [`before: kapi --help (system Node ${systemNode})`, `${options.before}/bin/kapi.mjs --help`],
      [`before: npx kapi --help (system Node ${systemNode})`, `sh -c 'cd ${options.before} && npx --no-install kapi --help'`],
      ['before: kapi-signer --help (Node 22)', `${on22} ${options.before}/bin/kapi-signer.mjs --help`],
      ['before: kapi-device --help (Node 22)', `${on22} ${options.before}/bin/kapi-device.mjs --help`],
    );
  }
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'kapi-cli-times-')), 'hyperfine.json');
  const args = ['-N', '--warmup', '2', '--runs', String(options.runs), '--export-json', out, '--style', 'basic'];
  for (const [name, command] of commands) args.push('-n', name, command);
  const ran = spawnSync('hyperfine', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (ran.status !== 0) throw new Error(`hyperfine exited ${ran.status}`);
  const results = (
    JSON.parse(readFileSync(out, 'utf8')) as {
      results: { command: string; mean: number; median: number; min: number; max: number; user: number; system: number }[];
    }
  ).results;
  const rows = results.map((r, i) => ({
    name: commands[i]![0],
    command: commands[i]![1],
    mean: r.mean * 1000,
    median: r.median * 1000,
    min: r.min * 1000,
    max: r.max * 1000,
    cpu: (r.user + r.system) * 1000,
  }));
  for (const row of rows) options.log(`  ${row.name}: median ${row.median.toFixed(0)} ms`);
  return { systemNode, node22, rows };
}
