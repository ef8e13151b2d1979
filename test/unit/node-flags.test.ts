import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingServerNodeFlags, SERVER_NODE_FLAGS } from '../../src/runtime/node-flags.js';

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
});
