import type { Knex } from 'knex';
import { METHOD_MODULES } from '../interactions/index.js';
import type { ModuleMigration } from '../src/engine/module.js';
import * as m001 from './001_initial.js';
import * as m002 from './002_login_sessions.js';
import * as m003 from './003_bank_links.js';
import * as m004 from './004_registrar.js';
import * as m005 from './005_contacts.js';
import * as m008 from './008_session_endings.js';
import * as m009 from './009_pin_id_token_alg.js';
import * as m010 from './010_resource_server_client.js';
import * as m011 from './011_registrar_idempotency.js';
import * as m012 from './012_pending_contacts.js';
import * as m013 from './013_operators.js';
import * as m014 from './014_sign_in_credentials.js';
import * as m015 from './015_growth_indexes.js';
import * as m016 from './016_retired_client_ids.js';

// Migrations are imported, not discovered on disk, so the same list runs under tsx, jest and a build.
// The core's come first; then each method module's own (interactions/<method>/migrations/), in module
// order (DESIGN.md, "Method modules and passkeys"). knex records a migration by its `name` and only
// checks that every recorded name is still listed: a migration that moved into a module keeps its name
// (007_second_factors), so databases that ran it never run it again.
const CORE: readonly ModuleMigration[] = [m001, m002, m003, m004, m005, m008, m009, m010, m011, m012, m013, m014, m015, m016];
const MIGRATIONS: readonly ModuleMigration[] = [...CORE, ...METHOD_MODULES.flatMap((m) => m.migrations)];

export const migrationSource: Knex.MigrationSource<ModuleMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
