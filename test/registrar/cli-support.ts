import { Command, CommanderError } from 'commander';
import type { Knex } from 'knex';
import type { CliContext } from '../../src/cli/main.js';
import { registrarCommand } from '../../src/cli/registrar.js';
import type { Services } from '../../src/services.js';

// `kapi registrar` in this process, over a running test Kapı's own services (both backends), so that a
// test can put a fault between the command and its database. The child-process runs in cli.test.ts
// show the real binary; this runs the same command objects, and reports as the binary does: its
// stdout, its stderr (`error: <message>` for a failure) and exit code 0 or 1.

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function quiet(command: Command, out: { stdout: string; stderr: string }): void {
  command.exitOverride().configureOutput({ writeOut: (s) => void (out.stdout += s), writeErr: (s) => void (out.stderr += s) });
  for (const sub of command.commands) quiet(sub, out);
}

/** The language environment of a run unless a test says otherwise: none (the CLI's default, Turkish). */
const NO_LANGUAGE = { LANG: 'C.UTF-8', LC_ALL: undefined, LC_MESSAGES: undefined };

/** Runs `kapi registrar <args>`; `env` is set for the run only (LANG, say). */
export async function runRegistrarCli(services: Services, args: string[], options: { env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  const out = { stdout: '', stderr: '' };
  const ctx: CliContext = { withConfig: (action) => action(services.config), withServices: (action) => action(services) };
  const program = new Command('kapi').addCommand(registrarCommand(ctx));
  quiet(program, out);
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries({ ...NO_LANGUAGE, ...options.env })) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['registrar', ...args], { from: 'user' });
    return { code: 0, ...out };
  } catch (err) {
    if (err instanceof CommanderError) return { code: err.exitCode || 1, ...out };
    return { code: 1, stdout: out.stdout, stderr: `${out.stderr}error: ${(err as Error).message.split('\n')[0]}\n` };
  } finally {
    process.stdout.write = write;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * A database whose first committed transaction loses its answer: the commit is applied, and the caller
 * sees the connection drop (what a timeout after COMMIT looks like to a client). `thenUnreachable`: from
 * then on nothing reaches the database at all.
 */
export function answerLostAfterCommit(db: Knex, options: { thenUnreachable?: boolean } = {}): { db: Knex; lost: () => number } {
  let lost = 0;
  const down = () => options.thenUnreachable === true && lost > 0;
  const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const proxy = new Proxy(db, {
    apply(target, thisArg, args: unknown[]) {
      if (down()) throw unreachable();
      return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, thisArg, args);
    },
    get(target, prop) {
      if (prop === 'transaction') {
        return async (...args: Parameters<Knex['transaction']>) => {
          if (down()) throw unreachable();
          const result = await (target.transaction as (...a: unknown[]) => Promise<unknown>)(...args);
          if (lost === 0) {
            lost += 1;
            throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
          }
          return result;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (down()) throw unreachable();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: proxy, lost: () => lost };
}

/** The services with another database handle (the rest shared). */
export function withDatabase(services: Services, db: Knex): Services {
  return { ...services, db: db as Services['db'] };
}
