import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, migrateLatest, openDatabase, PGLITE_SHARED_BUFFERS } from '../../adapters/storage/database.js';
import { seededDataDir } from '../support/seeded-data-dir.js';

// Each test opens PGlite (a WebAssembly Postgres) two or three times and migrates it: seconds each on a quiet
// machine, far more on a loaded CI machine, so these get more than jest's default 30 s.
const PGLITE_OPENINGS_TIMEOUT_MS = 120_000;

describe('openDatabase (embedded PGlite)', () => {
  it(
    "keeps Postgres's shared buffers small: they live in WebAssembly memory, which never shrinks (issue 24 point 2)",
    async () => {
      // From the run's dump taken right after initdb: shared_buffers is a start parameter, set at every start.
      const db = await openDatabase({ dataDir: ':memory:', snapshot: process.env.KAPI_TEST_EMBEDDED_EMPTY_SNAPSHOT });
      try {
        const shown = (await db.raw('show shared_buffers')) as { rows: Array<{ shared_buffers: string }> };
        expect(shown.rows[0]?.shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
      } finally {
        await closeDatabase(db);
      }
    },
    PGLITE_OPENINGS_TIMEOUT_MS,
  );

  it(
    'persists under <dataDir>/pglite across a restart, and migrating twice is harmless',
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kapi-db-'));
      try {
        const first = await openDatabase({ dataDir });
        await migrateLatest(first);
        await first('clients').insert({ client_id: 'persisted', metadata: JSON.stringify({ client_id: 'persisted' }) });
        await closeDatabase(first);
        expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);

        const second = await openDatabase({ dataDir });
        await migrateLatest(second);
        expect(await second('clients').pluck('client_id')).toEqual(['persisted']);
        await closeDatabase(second);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PGLITE_OPENINGS_TIMEOUT_MS,
  );

  it(
    'refuses a data directory another live process holds, and takes over a stale lock',
    async () => {
      // A directory holding a database already (the first start on an empty one is the test above).
      const dataDir = await seededDataDir('kapi-db-');
      try {
        await writeFile(path.join(dataDir, 'kapi.lock'), '1'); // pid 1 is always alive
        await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process 1/);
        await writeFile(path.join(dataDir, 'kapi.lock'), '2147483646'); // no such process
        const db = await openDatabase({ dataDir });
        expect((await readFile(path.join(dataDir, 'kapi.lock'), 'utf8')).trim()).toBe(String(process.pid));
        await closeDatabase(db);
        expect(existsSync(path.join(dataDir, 'kapi.lock'))).toBe(false);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PGLITE_OPENINGS_TIMEOUT_MS,
  );
});
