import { Command } from 'commander';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import type { Database } from '../../adapters/storage/port.js';
import { migrationSource } from '../../migrations/index.js';
import type { CliContext } from './main.js';
import { printFields, printJson } from './output.js';

// `kapi migrate`: brings the database schema up to date (knex migrations) and prints its state. Only
// the database is opened: no keys are generated and nothing else is touched.

async function state(db: Database): Promise<{ completed: string[]; pending: string[] }> {
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
        const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        try {
          const before = await state(db);
          await migrateLatest(db);
          const after = await state(db);
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
