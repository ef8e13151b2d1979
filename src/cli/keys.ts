import { Command } from 'commander';
import type { StoredKey } from '../../keys/key-store.js';
import type { Services } from '../services.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printLine, printTable } from './output.js';

// `kapi keys list|rotate|retire`: the signing-key life cycle next -> active -> retiring -> retired
// (keys/key-store.ts). A rotation activates keys that JWKS already published, keeps the old ones
// verifiable until every token they signed has expired, and tells running servers to rebuild.

function keyJson(k: StoredKey): Record<string, unknown> {
  return { kid: k.kid, alg: k.alg, state: k.state, created_at: k.createdAt, activated_at: k.activatedAt, retire_after: k.retireAfter };
}

/** Running servers rebuild their provider: at once over Redis, otherwise at their next poll of the key set. */
async function announce(services: Services): Promise<string> {
  // Imported here so the other commands do not load the web layer.
  const { announceKeyChange } = await import('../app.js');
  await announceKeyChange(services);
  if (services.state.kind === 'redis') return 'Announced to running servers over Redis: they rebuild with the new keys now.';
  if (services.config.databaseUrl) return 'Running servers on this database pick up the new keys within a minute (they poll the key set).';
  return 'The server (stopped while kapi works on its data directory) uses the new keys when it starts.';
}

export function keysCommand(ctx: CliContext): Command {
  const keys = new Command('keys').description('signing keys (published in JWKS)');

  keys
    .command('list')
    .description('list signing keys and their state (next, active, retiring, retired)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await ctx.withServices((s) => s.keys.list());
      if (o.json) return printJson(all.map(keyJson));
      printTable(
        ['kid', 'alg', 'state', 'created', 'retire_after'],
        all.map((k) => ({ kid: k.kid, alg: k.alg, state: k.state, created: k.createdAt, retire_after: k.retireAfter })),
        '(no keys)',
      );
    });

  keys
    .command('rotate')
    .description('activate the published next keys, start retiring the active ones, publish new next keys')
    .option('--force', 'rotate even if the next keys were published less than an hour ago')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean; force?: boolean }) => {
      const { result, after, note } = await ctx.withServices(async (s) => {
        const result = await s.keys.rotate(new Date(), { force: o.force === true });
        const note = await announce(s);
        return { result, after: await s.keys.list(), note };
      });
      const retireAfter = after.find((k) => result.retiring.includes(k.kid))?.retireAfter ?? null;
      if (o.json) return printJson({ ...result, retire_after: retireAfter });
      printFields({ activated: result.activated, retiring: result.retiring, 'verifiable until': retireAfter, retired: result.retired });
      printLine();
      printLine(note);
    });

  keys
    .command('retire')
    .description('retire keys whose signed tokens have all expired (they leave JWKS)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { retired, note } = await ctx.withServices(async (s) => {
        const retired = await s.keys.retireExpired();
        return { retired, note: retired.length ? await announce(s) : undefined };
      });
      if (o.json) return printJson({ retired });
      printFields({ retired });
      if (note) printLine(note);
    });

  return keys;
}
