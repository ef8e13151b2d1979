import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingServerEnv, missingServerNodeFlags, SERVER_ENV, SERVER_NODE_FLAGS } from '../../src/runtime/node-flags.js';

// Kapı's server flags (src/runtime/node-flags.ts) are written out in three places an operator starts it
// from; these tests keep them the same, and check that this Node still knows every flag.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the node flags of the server', () => {
  it('npm start and the container image start the server with every one of them', () => {
    // npm start: bin/start.mjs runs the build of src/main.ts, or the source (bin/entry.mjs); the image
    // runs the build. The flags come before the script, where node reads its own options.
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const startArgs = start.split(/\s+/);
    expect(startArgs.at(-1)).toBe('bin/start.mjs');
    expect(readFileSync(path.join(ROOT, 'bin/start.mjs'), 'utf8')).toContain("runEntry('kapı', 'src/main'");
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    const cmdArgs = JSON.parse(cmd ?? '[]') as string[];
    expect(cmdArgs.at(-1)).toBe('dist/src/main.js');
    for (const flag of SERVER_NODE_FLAGS) {
      expect({ flag, npmStart: startArgs.indexOf(flag) > 0 && startArgs.indexOf(flag) < startArgs.length - 1 }).toEqual({ flag, npmStart: true });
      expect({ flag, image: cmdArgs.indexOf(flag) > 0 && cmdArgs.indexOf(flag) < cmdArgs.length - 1 }).toEqual({ flag, image: true });
    }
  });

  it('this Node accepts them (an unknown V8 flag stops node before it runs anything)', () => {
    const ran = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect({ status: ran.status, stdout: ran.stdout, stderr: ran.stderr }).toEqual({ status: 0, stdout: 'ran', stderr: '' });
    const unknown = spawnSync(process.execPath, ['--no-such-v8-flag-kapi', '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect(unknown.status).not.toBe(0);
  });

  it('the start-up check names the flags a process was started without', () => {
    expect(missingServerNodeFlags(['--import', 'tsx'])).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingServerNodeFlags([...SERVER_NODE_FLAGS, '--import', 'tsx'])).toEqual([]);
  });

  it('the launcher (npm start) and the container image give the server the same malloc settings', () => {
    const launcher = readFileSync(path.join(ROOT, 'bin', 'launch.mjs'), 'utf8');
    const launcherEnv = JSON.parse((/const SERVER_ENV = (\{[^}]*\});/.exec(launcher)?.[1] ?? '{}').replace(/'/g, '"').replace(/(\w+):/g, '"$1":')) as Record<
      string,
      string
    >;
    expect(launcherEnv).toEqual({ ...SERVER_ENV });
    const dockerEnv = Object.fromEntries(
      [...readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((kv) => kv.split('='))),
    ) as Record<string, string>;
    for (const [name, value] of Object.entries(SERVER_ENV)) expect({ name, value: dockerEnv[name] }).toEqual({ name, value });
  });

  it("the launcher puts them in the environment of the server only, and an operator's own value wins", () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'launch.mjs'), ...args], {
        encoding: 'utf8',
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      }).stdout;
    const print = 'process.stdout.write(JSON.stringify([process.env.MALLOC_MMAP_THRESHOLD_ ?? null, process.env.MALLOC_TRIM_THRESHOLD_ ?? null]))';
    // `-e` with a script that mentions src/main.ts as an argument stands for the server's command line.
    expect(JSON.parse(run(['-e', print, 'src/main.ts']))).toEqual([SERVER_ENV.MALLOC_MMAP_THRESHOLD_, SERVER_ENV.MALLOC_TRIM_THRESHOLD_]);
    // npm start names bin/start.mjs (the build of src/main.ts, or the source).
    expect(JSON.parse(run(['-e', print, 'bin/start.mjs']))).toEqual([SERVER_ENV.MALLOC_MMAP_THRESHOLD_, SERVER_ENV.MALLOC_TRIM_THRESHOLD_]);
    expect(JSON.parse(run(['-e', print]))).toEqual([null, null]);
    expect(JSON.parse(run(['-e', print, 'src/main.ts'], { MALLOC_MMAP_THRESHOLD_: '65536' }))[0]).toBe('65536');
  });

  it('the start-up check names the malloc settings a process was started without', () => {
    expect(missingServerEnv({})).toEqual(Object.keys(SERVER_ENV));
    expect(missingServerEnv({ ...SERVER_ENV })).toEqual([]);
  });
});
