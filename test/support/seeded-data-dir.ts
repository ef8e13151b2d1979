import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// A temporary DATA_DIR (an embedded database on disk, as an operator's) that already holds the run's
// migrated database: the dump the global setup made (test/support/build-test-databases.ts), unpacked where
// Kapı keeps PGlite's files (<DATA_DIR>/pglite). A fresh directory would make the first Kapı or `kapi`
// command run initdb in WebAssembly, seconds of CPU (over half a minute on a loaded machine), in a suite
// that tests something else. The tests of the first start on an empty directory keep an empty one
// (test/storage/database.test.ts, test/cli/cli.test.ts's `kapi migrate`).

const run = promisify(execFile);

export async function seededDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const snapshot = process.env.KAPI_TEST_EMBEDDED_SNAPSHOT;
  if (snapshot) {
    const pglite = path.join(dir, 'pglite');
    await mkdir(pglite);
    // The dump's member names start with '/': tar strips it (and says so on stderr).
    await run('tar', ['-xf', snapshot, '-C', pglite]);
  }
  return dir;
}
