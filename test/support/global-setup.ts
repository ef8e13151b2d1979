import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Runs once before the test files, in jest's main process (the tests run in it too: --runInBand), so
// what it puts in process.env reaches every test file and the child processes they start. Jest loads
// this file outside its module system, where a relative import of another TypeScript file does not
// resolve: the names below repeat test/support/secret-record.ts's.
const RUN_DIR_VARIABLE = 'KAPI_TEST_RUN_DIR';
const SECRETS_FILE = 'secrets.jsonl';
const LOGS_DIR = 'logs';

export default async function globalSetup(): Promise<void> {
  process.env.KAPI_LOG_LEVEL ??= 'silent';
  // The run directory of the log scan (test/support/global-teardown.ts): Kapı's log lines of each test
  // file, and the secrets the tests used.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'kapi-test-run-'));
  mkdirSync(path.join(runDir, LOGS_DIR));
  writeFileSync(path.join(runDir, SECRETS_FILE), '');
  process.env[RUN_DIR_VARIABLE] = runDir;
  // Lines of a process started with this environment outside any test file's own (each test file's
  // setup, test/support/log-scan-setup.ts, points its Kapı loggers and children at a file of its own).
  process.env.KAPI_LOG_COPY_FILE = path.join(runDir, LOGS_DIR, 'other-processes.log');
  // Migrated databases to start from (test/support/build-test-databases.ts): an embedded dump and, with
  // DATABASE_URL, a Postgres template. Made by a child process under the same Node and tsx as the tests.
  const built = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', path.join(process.cwd(), 'test', 'support', 'build-test-databases.ts')], {
      env: process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { snapshot: string; emptySnapshot: string; template?: string };
  process.env.KAPI_TEST_EMBEDDED_SNAPSHOT = built.snapshot;
  process.env.KAPI_TEST_EMBEDDED_EMPTY_SNAPSHOT = built.emptySnapshot;
  if (built.template) process.env.KAPI_TEST_POSTGRES_TEMPLATE = built.template;
}
