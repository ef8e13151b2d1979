import path from 'node:path';
import { expect } from '@jest/globals';
import { recordingFetch } from './record-http-secrets.js';
import { LOGS_DIR, RUN_DIR_VARIABLE } from './secret-record.js';

// Runs before each test file (jest setupFilesAfterEnv), in that file's environment:
// - every Kapı logger loaded by the file (and every child process given this environment) copies all its
//   lines, at every level, to a log file of this test file in the run directory (src/log.ts,
//   KAPI_LOG_COPY_FILE), whatever KAPI_LOG_LEVEL the test chose for the lines it reads itself;
// - fetch records the secrets that cross HTTP (test/support/record-http-secrets.ts).
// The global teardown scans those files for the recorded secrets.

const runDir = process.env[RUN_DIR_VARIABLE];
if (runDir) {
  const testPath = path.relative(process.cwd(), expect.getState().testPath ?? 'unknown');
  process.env.KAPI_LOG_COPY_FILE = path.join(runDir, LOGS_DIR, `${testPath.replace(/[\\/]/g, '__')}.log`);
  globalThis.fetch = recordingFetch(globalThis.fetch);
}
