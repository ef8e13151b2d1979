import { Command } from 'commander';
import type { Database } from '../../adapters/storage/port.js';
import type { CliContext } from './main.js';
import { printFields, printJson } from './output.js';

// `kapi migrate`: brings the database schema up to date (knex migrations) and prints its state. Only
// the database is opened: no keys are generated and nothing else is touched.

type MigrationSource = typeof import('../../migrations/index.js')['migrationSource'];

async function state(db: Database, migrationSource: MigrationSource): Promise<{ completed: string[]; pending: string[] }> {
  const [completed, pending] = (await db.migrate.list({ migrationSource })) as [({ name: string } | string)[], unknown[]];
  return {
    completed: completed.map((m) => (typeof m === 'string' ? m : m.name)),
    pending: pending.map((m) => migrationSource.getMigrationName(m as never)),
  };
}

export function migrateCommand(ctx: CliContext): Command {
  return new Command('migrate')
    .description('run the database migrations and print their state')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const report = await ctx.withConfig(async (config) => {
        const { closeDatabase, migrateLatest, openDatabase } = await import('../../adapters/storage/database.js');
        const { migrationSource } = await import('../../migrations/index.js');
        const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        try {
          const before = await state(db, migrationSource);
          await migrateLatest(db);
          const after = await state(db, migrationSource);
          return {
            database: config.databaseUrl ? 'postgres' : `embedded (${config.dataDir})`,
            applied: before.pending.filter((name) => after.completed.includes(name)),
            completed: after.completed,
            pending: after.pending,
          };
        } finally {
          await closeDatabase(db);
        }
      });
      if (o.json) return printJson(report);
      printFields({ ...report, applied: report.applied.length ? report.applied : 'none (already up to date)' });
    });
}
