import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from '../../bin/build-state.mjs';
import { SUBCOMMANDS } from '../../src/cli/commands.js';
import type { CliContext } from '../../src/cli/main.js';

// `kapi --help` answers without loading the services behind the commands (src/cli/commands.ts), and
// the command runs the compiled JavaScript when the build is up to date (bin/entry.mjs). In CI the
// build is always there (npm ci's "prepare" runs `npm run build`); elsewhere that test needs it too.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TRACE = path.join(ROOT, 'test/cli/support/trace-loads.mjs');

/** `kapi <args>` under the module tracer: its exit code, output and the modules it loaded (paths from the root). */
function traced(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', TRACE, path.join(ROOT, 'bin/kapi.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAPI_LOG_LEVEL: 'silent' },
  });
  const loaded = [...run.stderr.matchAll(/^loaded (file:\S+)$/gm)].map((m) => path.relative(ROOT, fileURLToPath(m[1]!)).split(path.sep).join('/'));
  return { status: run.status, stdout: run.stdout, loaded };
}

const ctx: CliContext = {
  withConfig: () => Promise.reject(new Error('not run')),
  withServices: () => Promise.reject(new Error('not run')),
};

describe('kapi --help, lazily', () => {
  it('each subcommand in the list is the command its module builds, with the same help line', async () => {
    for (const sub of SUBCOMMANDS) {
      const command = (await sub.load())(ctx);
      expect({ name: command.name(), description: command.description() }).toEqual({ name: sub.name, description: sub.description });
    }
  });

  it('lists every subcommand and loads none of their modules, nor the configuration, logger or services', () => {
    const run = traced('--help');
    expect(run.status).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    for (const sub of SUBCOMMANDS) expect(help).toContain(` ${sub.name} ${sub.description}`);
    expect(run.loaded.some((file) => file.endsWith('node_modules/commander/esm.mjs'))).toBe(true); // the tracer sees what loads
    const heavy = run.loaded.filter((file) =>
      /^(dist\/)?src\/(cli\/(clients|keys|resources|registrar|registrar-counter|operators|dev|migrate)|config|log|services)\.(ts|js)$|node_modules\/(zod|pino|knex|oidc-provider)\//.test(
        file,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('loads the one subcommand it runs', () => {
    const run = traced('keys', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: kapi keys/);
    expect(run.loaded.some((file) => /^(dist\/)?src\/cli\/keys\.(ts|js)$/.test(file))).toBe(true);
    expect(run.loaded.some((file) => /^(dist\/)?src\/cli\/clients\.(ts|js)$/.test(file))).toBe(false);
  });
});

describe('the compiled command', () => {
  const build = compiledEntry(ROOT, 'src/cli/main');
  // Outside CI a stale or missing build is a developer's working state: the test says why it did not run.
  const whenBuilt = build.file || process.env.CI ? it : it.skip;

  whenBuilt(`kapi --help runs dist/src/cli/main.js and prints the usage (${build.reason ?? 'the build is up to date'})`, () => {
    const run = traced('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: kapi \[options\] \[command\]/);
    expect(run.loaded).toContain('dist/src/cli/main.js');
    expect(run.loaded.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });
});
