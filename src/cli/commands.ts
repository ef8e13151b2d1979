import type { Command } from 'commander';
import type { CliContext } from './main.js';

// `kapi`'s subcommands, each with the line `kapi --help` shows for it. A subcommand's module (and the
// services, storage drivers and schemas it imports) is loaded only when that subcommand runs or shows
// its own help: `kapi --help` loads commander and this list. test/cli/cli-lazy.test.ts checks that each
// line here is the module's own description, and that `kapi --help` loads no subcommand module.

export interface Subcommand {
  readonly name: string;
  readonly description: string;
  load(): Promise<(ctx: CliContext) => Command>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  { name: 'clients', description: 'manage institutions (OIDC clients)', load: async () => (await import('./clients.js')).clientsCommand },
  { name: 'keys', description: 'signing keys (published in JWKS)', load: async () => (await import('./keys.js')).keysCommand },
  {
    name: 'resources',
    description: 'resource servers (APIs) that receive access tokens',
    load: async () => (await import('./resources.js')).resourcesCommand,
  },
  {
    name: 'registrar',
    description: 'office issuance: offices, registrars, and passwords handed out or cancelled at a counter',
    load: async () => (await import('./registrar.js')).registrarCommand,
  },
  {
    name: 'operators',
    description: 'operator console roles: administrator (changes) and auditor (read only)',
    load: async () => (await import('./operators.js')).operatorsCommand,
  },
  { name: 'dev', description: 'development helpers for the embedded demo', load: async () => (await import('./dev.js')).devCommand },
  { name: 'migrate', description: 'run the database migrations and print their state', load: async () => (await import('./migrate.js')).migrateCommand },
];

/** The subcommand named by the arguments (after `kapi`), also in `kapi help <name>`; undefined for none. */
export function subcommandOf(args: readonly string[]): Subcommand | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return SUBCOMMANDS.find((s) => s.name === name);
}
