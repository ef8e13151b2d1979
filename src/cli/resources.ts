import { Command } from 'commander';
import type { CliContext } from './main.js';
import { printFields, printJson, printTable } from './output.js';

// `kapi resources add|list|remove`: APIs that can receive access tokens (resource indicators). An
// institution that names one with `resource=` gets a JWT access token (RFC 9068) for it by default. An
// API with opaque tokens introspects them as the client named by --client-id, and only tokens for it.

export function resourcesCommand(ctx: CliContext): Command {
  const resources = new Command('resources').description('resource servers (APIs) that receive access tokens');

  resources
    .command('add')
    .description('register a resource server')
    .requiredOption('--identifier <uri>', 'the resource indicator (an absolute URI, e.g. https://api.tax.example/)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--scope <scopes>', 'space-separated scopes the API accepts')
    .option('--format <format>', 'access token format: jwt or opaque', 'jwt')
    .option('--ttl <seconds>', 'access token lifetime in seconds (60-3600)', '600')
    .option('--client-id <id>', "the API's own client (kapi clients add): it may introspect tokens issued for this API, no others")
    .option('--json', 'print JSON')
    .action(async (o: { identifier: string; name: string; scope: string; format: string; ttl: string; clientId?: string; json?: boolean }) => {
      const added = await ctx.withServices((s) =>
        s.resourceServers.add({
          identifier: o.identifier,
          name: o.name,
          scopes: o.scope.split(' ').filter(Boolean),
          tokenFormat: o.format as 'jwt',
          accessTokenTtl: Number(o.ttl),
          ...(o.clientId ? { clientId: o.clientId } : {}),
        }),
      );
      if (o.json) return printJson(added);
      printFields({
        identifier: added.identifier,
        name: added.name,
        scopes: added.scopes,
        format: added.tokenFormat,
        'token lifetime (s)': added.accessTokenTtl,
        'introspects as': added.clientId,
      });
    });

  resources
    .command('list')
    .description('list resource servers')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await ctx.withServices((s) => s.resourceServers.list());
      if (o.json) return printJson(all);
      printTable(
        ['identifier', 'name', 'scopes', 'format', 'client'],
        all.map((r) => ({ identifier: r.identifier, name: r.name, scopes: r.scopes, format: r.tokenFormat, client: r.clientId })),
        '(no resource servers)',
      );
    });

  resources
    .command('remove <identifier>')
    .description('remove a resource server')
    .option('--json', 'print JSON')
    .action(async (identifier: string, o: { json?: boolean }) => {
      const removed = await ctx.withServices((s) => s.resourceServers.remove(identifier));
      if (!removed) throw new Error(`no resource server ${identifier}`);
      if (o.json) return printJson({ removed: identifier });
      printFields({ removed: identifier });
    });

  return resources;
}
