// Run once per test run by test/support/global-setup.ts, as a child process (jest's global setup cannot
// import TypeScript modules): builds the databases every Kapı of the run starts from, already migrated,
// and prints where they are as one line of JSON.
//
// - embedded: a dump of an in-memory PGlite after Kapı's migrations (PGlite's dumpDataDir). An empty
//   in-memory PGlite runs initdb inside WebAssembly, seconds of CPU each time; a suite's Kapı loads this
//   dump instead (KAPI_EMBEDDED_SNAPSHOT) and finds its migrations done.
// - postgres (when DATABASE_URL is set): a template database with the migrations applied; each test
//   database is `CREATE DATABASE … TEMPLATE` it, a file copy instead of ~20 migrations.
//
// Both are made by the same migrations a Kapı runs at start (adapters/storage/database.ts migrateLatest),
// from this checkout, in this run: they cannot drift from the code under test.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import type { Database } from '../../adapters/storage/port.js';

const runDir = process.env.KAPI_TEST_RUN_DIR;
if (!runDir) throw new Error('KAPI_TEST_RUN_DIR is not set: run by test/support/global-setup.ts');

async function dump(db: Database, name: string): Promise<string> {
  // knex-pglite keeps its PGlite instance on the client.
  const pglite = (db.client as { pglite: { dumpDataDir(compression: 'none'): Promise<Blob> } }).pglite;
  const file = path.join(runDir as string, name);
  await writeFile(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
  return file;
}

/**
 * Two dumps of one PGlite: right after initdb (for the tests that migrate step by step) and migrated (for
 * every other). initdb costs seconds of CPU, over a minute on a loaded machine, once per run instead.
 */
async function embeddedSnapshots(): Promise<{ empty: string; migrated: string }> {
  const db = await openDatabase({ dataDir: ':memory:', memory: true });
  try {
    await db.raw('select 1'); // PGlite's initdb has run
    const empty = await dump(db, 'embedded-empty.tar');
    await migrateLatest(db);
    return { empty, migrated: await dump(db, 'embedded-migrated.tar') };
  } finally {
    await closeDatabase(db);
  }
}

async function postgresTemplate(databaseUrl: string): Promise<string> {
  const name = `kapi_test_template_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: ':memory:' });
  try {
    await migrateLatest(db);
  } finally {
    // A template must have no connection open when a database is created from it.
    await closeDatabase(db);
  }
  return name;
}

const [{ empty: emptySnapshot, migrated: snapshot }, template] = await Promise.all([
  embeddedSnapshots(),
  process.env.DATABASE_URL ? postgresTemplate(process.env.DATABASE_URL) : Promise.resolve(undefined),
]);
process.stdout.write(`${JSON.stringify({ snapshot, emptySnapshot, template })}\n`);
process.exit(0);
