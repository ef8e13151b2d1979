import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Config } from '../config.js';
import { isKapiError } from '../errors.js';
import { packageFile } from '../runtime/package-root.js';
import type { Services } from '../services.js';
import { SUBCOMMANDS, subcommandOf } from './commands.js';
import { printError } from './output.js';

// `kapi`: the operator's command. Every subcommand reads the same configuration as the server
// (environment variables, see src/config.ts), opens storage (migrating an empty database first), does
// one thing and exits: 0 on success, 1 on a refused or failed operation, 78 on a bad configuration.
// Only the subcommand that runs is loaded (src/cli/commands.ts); the configuration schema, the logger
// and the services are imported when an action needs them, so `kapi --help` answers at once.

/** What the subcommands get from here (injected, so they never import this entry module). */
export interface CliContext {
  /** Runs with the validated configuration. */
  withConfig<T>(action: (config: Config) => Promise<T>): Promise<T>;
  /** Runs with storage open (migrated, keys ensured); closes it afterwards, also on failure. */
  withServices<T>(action: (services: Services) => Promise<T>): Promise<T>;
}

class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const context: CliContext = {
  async withConfig(action) {
    const { ConfigError, loadConfig } = await import('../config.js');
    let config: Config;
    try {
      config = loadConfig(process.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new ExitError(78, err.message);
      throw err;
    }
    return action(config);
  },
  async withServices(action) {
    return context.withConfig(async (config) => {
      // Loaded on demand: it pulls in oidc-provider and the storage drivers, which --help never needs.
      const { openServices } = await import('../services.js');
      const services = await openServices(config);
      try {
        return await action(services);
      } finally {
        await services.close();
      }
    });
  },
};

/** One line for a person, never a stack trace (KAPI_LOG_LEVEL=debug adds it, for a bug report). */
function describe(err: unknown): string {
  if (isKapiError(err)) return err.message;
  const e = err as { name?: string; message?: string; error_description?: string; issues?: { path: PropertyKey[]; message: string }[] };
  if (e?.name === 'ZodError' && Array.isArray(e.issues)) return e.issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`).join('; ');
  // oidc-provider's own checks of client metadata.
  if (e?.name === 'InvalidClientMetadata' || e?.name === 'InvalidRedirectUri') return `invalid client metadata: ${e.error_description ?? e.message}`;
  if (err instanceof Error) return err.message.split('\n')[0] || err.name;
  return String(err);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The `kapi` program for these arguments: the subcommand they name complete, the others as their help line. */
export async function buildProgram(args: readonly string[], ctx: CliContext = context): Promise<Command> {
  const program = new Command('kapi')
    .description('Kapı: manage institutions (OIDC clients), resource servers, signing keys and the database')
    .version(version(), '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Configuration is read from the environment, as the server reads it: DATABASE_URL (Postgres), or
DATA_DIR for the embedded database (default ./data); KAPI_MASTER_KEY seals client secrets and keys;
REDIS_URL lets running servers hear about key changes. An empty database is migrated first.
On the embedded database, stop the server before running kapi on its data directory.`,
    );
  const wanted = subcommandOf(args);
  for (const sub of SUBCOMMANDS) {
    program.addCommand(sub === wanted ? (await sub.load())(ctx) : new Command(sub.name).description(sub.description));
  }
  return program;
}

async function flushed(): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // The server's JSON logs go to stdout, where they would mix with the command's output.
  if (subcommandOf(args) && !process.env.KAPI_LOG_LEVEL) (await import('../log.js')).log.level = 'error';
  let code = 0;
  try {
    await (await buildProgram(args)).parseAsync(process.argv);
  } catch (err) {
    if (err instanceof ExitError) {
      process.stderr.write(`${err.message}\n`);
      code = err.exitCode;
    } else {
      printError(describe(err));
      const { log } = await import('../log.js');
      if (log.isLevelEnabled('debug')) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
      code = 1;
    }
  }
  await flushed();
  // Storage clients may leave timers behind; the command is done.
  process.exit(code);
}

await main();
