import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';

describe('openDatabase (embedded PGlite)', () => {
  it('persists under <dataDir>/pglite across a restart, and migrating twice is harmless', async () => {
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
  });
});
