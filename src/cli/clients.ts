import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ACR_LEVELS } from '../assurance/levels.js';
import { clientInputSchema, ID_TOKEN_ALGS, type ClientInput, type StoredClient } from '../clients/client-service.js';
import { SEALED } from '../clients/institution-admin.js';
import { parseJwks } from '../clients/jwks.js';
import { KapiError } from '../errors.js';
import { cliActor, operatorServices } from '../operators/index.js';
import type { Services } from '../services.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printLine, printTable } from './output.js';

// `kapi clients add|list|show|update|remove|revoke-tokens|suspend|resume`: institutions are OIDC clients
// kept in the database. The rules are the operator console's too (src/clients/institution-admin.ts), and
// every change is written to the operators' audit trail as `cli:<user>` (or `--by`). A client secret is
// shown once, in the output of the command that creates it; afterwards it is "[sealed]" (stored
// encrypted with the master key).

const AUTH_METHODS = ['private_key_jwt', 'client_secret_basic', 'none'] as const;
const institutionsOf = (s: Services) => operatorServices(s).institutions;

/** What commander hands over (a `--no-x` negation gives false). */
interface ClientOptions {
  name?: string;
  redirectUri?: string[] | false;
  postLogoutUri?: string[] | false;
  backchannelLogoutUri?: string | false;
  auth?: (typeof AUTH_METHODS)[number];
  jwksUri?: string;
  jwksFile?: string;
  scope?: string[];
  minAcr?: (typeof ACR_LEVELS)[number] | false;
  parRequired?: boolean;
  dpopRequired?: boolean;
  fapi?: boolean;
  institutionId?: string;
  clientCredentials?: boolean;
  publicSubject?: boolean;
  idTokenAlg?: (typeof ID_TOKEN_ALGS)[number] | false;
  clientId?: string;
  rotateSecret?: boolean;
  by?: string;
  json?: boolean;
}

// Repeatable options collect their values (a preceding `--no-x` leaves false behind: start afresh).
const repeat = (value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
const words = (value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), ...value.split(/[\s,]+/).filter(Boolean)];

/** The input field behind each option, for error messages that name what the operator typed. */
const OPTION_OF: Record<string, string> = {
  name: '--name',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-uri',
  backchannelLogoutUri: '--backchannel-logout-uri',
  authMethod: '--auth',
  jwksUri: '--jwks-uri',
  jwks: '--jwks-file',
  scopes: '--scope',
  minAcr: '--min-acr',
  institutionId: '--institution-id',
  idTokenAlg: '--id-token-alg',
  clientId: '--client-id',
};

function addClientOptions(cmd: Command, mode: 'add' | 'update'): Command {
  const update = mode === 'update';
  if (update) cmd.option('--name <name>', 'display name shown to citizens');
  else cmd.requiredOption('--name <name>', 'display name shown to citizens');
  cmd
    .option('--redirect-uri <url>', `redirect URI (repeat for several${update ? '; replaces the list' : ''})`, repeat)
    .option('--post-logout-uri <url>', `post-logout redirect URI (repeat for several${update ? '; replaces the list' : ''})`, repeat)
    .option('--backchannel-logout-uri <url>', 'back-channel logout URI (logout tokens are POSTed there)')
    .addOption(
      new Option(
        '--auth <method>',
        `token endpoint authentication${update ? '' : ' (default: private_key_jwt with --jwks-uri/--jwks-file, otherwise client_secret_basic)'}`,
      ).choices(AUTH_METHODS),
    )
    .option('--jwks-uri <url>', "URL of the institution's public keys (private_key_jwt)")
    .option('--jwks-file <file>', 'JSON file with the institution\'s public keys, {"keys": [...]}')
    .option('--scope <scopes>', 'allowed scopes, space-separated (openid is always included)', words)
    .addOption(new Option('--min-acr <level>', 'minimum assurance level of every sign-in').choices(ACR_LEVELS))
    .option('--par-required', 'require pushed authorization requests (PAR)')
    .option('--dpop-required', 'require DPoP-bound access tokens')
    .option('--fapi', 'FAPI 2.0 profile (implies PAR, DPoP and PS256 ID tokens)')
    .option('--institution-id <id>', 'institution identifier in audit records (default: the client_id)')
    .option('--client-credentials', 'also allow the client_credentials grant')
    .option('--public-subject', 'public subject identifiers (default: pairwise, one per institution)')
    .addOption(new Option('--id-token-alg <alg>', `ID token signing algorithm${update ? '' : ' (default: RS256; PS256 with --fapi)'}`).choices(ID_TOKEN_ALGS));
  if (update) {
    cmd
      .option('--no-redirect-uri', 'remove every redirect URI')
      .option('--no-post-logout-uri', 'remove every post-logout redirect URI')
      .option('--no-backchannel-logout-uri', 'remove the back-channel logout URI')
      .option('--no-min-acr', 'remove the minimum assurance level')
      .option('--no-par-required', 'stop requiring PAR')
      .option('--no-dpop-required', 'stop requiring DPoP')
      .option('--no-fapi', 'leave the FAPI 2.0 profile')
      .option('--no-client-credentials', 'disallow the client_credentials grant')
      .option('--no-public-subject', 'pairwise subject identifiers')
      .option('--no-id-token-alg', 'back to the default ID token signing algorithm (RS256; PS256 with --fapi)')
      .option('--rotate-secret', 'replace the client secret (the new one is printed once)');
  } else {
    cmd.option('--client-id <id>', 'client_id to use (default: generated)');
  }
  return cmd.option('--by <name>', 'who makes the change, for the audit trail (default: the system user)').option('--json', 'print JSON');
}

async function readJwks(file: string): Promise<NonNullable<ClientInput['jwks']>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new KapiError('invalid_request', `--jwks-file ${file}: ${(err as Error).message}`);
  }
  return parseJwks(text, `--jwks-file ${file}`);
}

/** Options to service input; only what was given is set (an update changes only that). */
async function toInput(o: ClientOptions): Promise<Partial<ClientInput>> {
  const input: Partial<ClientInput> = {};
  if (o.name !== undefined) input.name = o.name;
  if (o.redirectUri !== undefined) input.redirectUris = o.redirectUri || [];
  if (o.postLogoutUri !== undefined) input.postLogoutRedirectUris = o.postLogoutUri || [];
  if (o.backchannelLogoutUri !== undefined) input.backchannelLogoutUri = o.backchannelLogoutUri || undefined;
  if (o.auth !== undefined) input.authMethod = o.auth;
  if (o.jwksUri !== undefined && o.jwksFile !== undefined) throw new KapiError('invalid_request', 'give --jwks-uri or --jwks-file, not both');
  if (o.jwksUri !== undefined) Object.assign(input, { jwksUri: o.jwksUri, jwks: undefined });
  if (o.jwksFile !== undefined) Object.assign(input, { jwks: await readJwks(o.jwksFile), jwksUri: undefined });
  if (o.scope !== undefined) input.scopes = o.scope;
  if (o.minAcr !== undefined) input.minAcr = o.minAcr || undefined;
  if (o.parRequired !== undefined) input.parRequired = o.parRequired;
  if (o.dpopRequired !== undefined) input.dpopRequired = o.dpopRequired;
  if (o.fapi !== undefined) input.fapi = o.fapi;
  if (o.institutionId !== undefined) input.institutionId = o.institutionId;
  if (o.clientCredentials !== undefined) input.clientCredentials = o.clientCredentials;
  if (o.publicSubject !== undefined) input.subjectType = o.publicSubject ? 'public' : 'pairwise';
  if (o.idTokenAlg !== undefined) input.idTokenAlg = o.idTokenAlg || undefined;
  if (o.clientId !== undefined) input.clientId = o.clientId;
  return input;
}

/** Validates the given fields up front, so a mistake is reported with the option and value typed. */
function check(input: Partial<ClientInput>): void {
  const result = clientInputSchema.partial().safeParse(input);
  if (result.success) return;
  const problems = result.error.issues.map((issue) => {
    const [field, index] = issue.path;
    const option = OPTION_OF[String(field)] ?? String(field);
    let value: unknown = input[field as keyof ClientInput];
    if (typeof index === 'number' && Array.isArray(value)) value = value[index];
    const shown = typeof value === 'string' ? ` "${value}"` : '';
    return `${option}${shown}: ${issue.message}`;
  });
  throw new KapiError('invalid_request', problems.join('; '));
}

/** Readable lines for a client's metadata. */
function describeClient(m: Record<string, unknown>, times?: { createdAt: Date; updatedAt: Date }): Record<string, unknown> {
  const jwks = m.jwks as { keys?: unknown[] } | undefined;
  const fields: Record<string, unknown> = {
    client_id: m.client_id,
    ...(m.client_secret !== undefined ? { client_secret: m.client_secret } : {}),
    name: m.client_name,
    redirect_uris: m.redirect_uris,
    post_logout_uris: m.post_logout_redirect_uris,
    backchannel_logout: m.backchannel_logout_uri,
    auth: m.token_endpoint_auth_method,
    jwks: m.jwks_uri ?? (jwks?.keys ? `${jwks.keys.length} key(s) in the client record` : undefined),
    scope: m.scope,
    min_acr: m.min_acr,
    par_required: m.require_pushed_authorization_requests,
    dpop_required: m.dpop_bound_access_tokens,
    fapi: m.fapi,
    grant_types: m.grant_types,
    subject_type: m.subject_type,
    id_token_alg: m.id_token_signed_response_alg ?? 'RS256 (default)',
    institution_id: m.institution_id,
  };
  if (times) Object.assign(fields, { created: times.createdAt, updated: times.updatedAt });
  return fields;
}

function storedJson(c: StoredClient): Record<string, unknown> {
  return { ...c.metadata, created_at: c.createdAt, updated_at: c.updatedAt, suspended_at: c.suspendedAt };
}

function printCreated(metadata: Record<string, unknown>, json: boolean | undefined, verb: string): void {
  if (json) {
    printJson(metadata);
    return;
  }
  printFields(describeClient(metadata));
  const secret = metadata.client_secret;
  if (typeof secret === 'string' && secret !== SEALED) {
    printLine();
    printLine(`Client ${verb}. The client secret is shown only now: hand it to the institution over a secure channel.`);
  }
}

export function clientsCommand(ctx: CliContext): Command {
  const clients = new Command('clients').description('manage institutions (OIDC clients)');

  addClientOptions(clients.command('add').description('register an institution; prints its client_id (and client_secret, once)'), 'add').action(
    async (o: ClientOptions) => {
      const input = await toInput(o);
      check(input);
      // Without keys to authenticate with, the institution gets a secret (the shared rule).
      const { metadata } = await ctx.withServices((s) => institutionsOf(s).register(cliActor(o.by), input));
      printCreated(metadata, o.json, 'registered');
    },
  );

  clients
    .command('list')
    .description('list institutions')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await ctx.withServices((s) => s.clients.list());
      if (o.json) return printJson(all.map(storedJson));
      printTable(
        ['client_id', 'name', 'auth', 'min_acr', 'scope', 'redirect_uris', 'suspended'],
        all.map((c) => ({
          suspended: c.suspendedAt,
          client_id: c.clientId,
          name: c.metadata.client_name,
          auth: c.metadata.token_endpoint_auth_method,
          min_acr: c.metadata.min_acr,
          scope: c.metadata.scope,
          redirect_uris: c.metadata.redirect_uris,
        })),
        '(no clients)',
      );
    });

  clients
    .command('show')
    .description('show one institution (its secret stays sealed)')
    .argument('<client_id>')
    .option('--json', 'print JSON')
    .action(async (clientId: string, o: { json?: boolean }) => {
      const client = await ctx.withServices((s) => s.clients.show(clientId));
      if (!client) throw new KapiError('not_found', `no client ${clientId}`);
      if (o.json) return printJson(storedJson(client));
      printFields({ ...describeClient(client.metadata, client), ...(client.suspendedAt ? { suspended: client.suspendedAt } : {}) });
    });

  addClientOptions(clients.command('update').description('change an institution; only the options given change').argument('<client_id>'), 'update').action(
    async (clientId: string, o: ClientOptions) => {
      const input = await toInput(o);
      check(input);
      // The secret is printed only when this update created it (the shared rule gives it back only then).
      const { metadata } = await ctx.withServices((s) => institutionsOf(s).update(cliActor(o.by), clientId, input, { rotateSecret: o.rotateSecret === true }));
      printCreated(metadata, o.json, 'updated');
    },
  );

  clients
    .command('remove')
    .description('remove an institution (its client id is retired: never registered again)')
    .argument('<client_id>')
    .option('--by <name>', 'who removes it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, o: { json?: boolean; by?: string }) => {
      await ctx.withServices((s) => institutionsOf(s).remove(cliActor(o.by), clientId));
      if (o.json) return printJson({ client_id: clientId, removed: true });
      printLine(`removed client ${clientId}`);
    });

  clients
    .command('revoke-tokens')
    .description("revoke every grant and refresh token of an institution; Kapı's own APIs refuse its earlier tokens at once")
    .argument('<client_id>')
    .option('--by <name>', 'who revokes them, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, o: { json?: boolean; by?: string }) => {
      const grants = await ctx.withServices((s) => institutionsOf(s).revokeTokens(cliActor(o.by), clientId));
      if (o.json) return printJson({ client_id: clientId, grants_revoked: grants });
      printLine(`revoked ${grants} grant(s) of client ${clientId}; its JWT access tokens for other APIs end with their lifetime (600 s)`);
    });

  clients
    .command('suspend')
    .description('suspend an institution: its sign-ins are refused with a page saying so, its tokens stop working (grants and refresh tokens revoked)')
    .argument('<client_id>')
    .option('--reason <text>', 'why (recorded in the audit trail)')
    .option('--by <name>', 'who suspends it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, o: { json?: boolean; by?: string; reason?: string }) => {
      const changed = await ctx.withServices((s) => institutionsOf(s).suspend(cliActor(o.by), clientId, o.reason));
      if (o.json) return printJson({ client_id: clientId, suspended: true, changed });
      printLine(changed ? `suspended client ${clientId}` : `client ${clientId} was already suspended`);
    });

  clients
    .command('resume')
    .description('resume a suspended institution (its earlier tokens stay revoked)')
    .argument('<client_id>')
    .option('--by <name>', 'who resumes it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, o: { json?: boolean; by?: string }) => {
      const changed = await ctx.withServices((s) => institutionsOf(s).resume(cliActor(o.by), clientId));
      if (o.json) return printJson({ client_id: clientId, suspended: false, changed });
      printLine(changed ? `resumed client ${clientId}` : `client ${clientId} was not suspended`);
    });

  return clients;
}
