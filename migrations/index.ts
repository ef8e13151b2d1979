import type { Knex } from 'knex';
import * as m001 from './001_initial.js';
import * as m002 from './002_login_sessions.js';

// Migrations are imported, not discovered on disk, so the same list runs under tsx, jest and a build.
const MIGRATIONS = [m001, m002];

export const migrationSource: Knex.MigrationSource<(typeof MIGRATIONS)[number]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
