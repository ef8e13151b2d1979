import { Command, Option } from 'commander';
import { z } from 'zod';
import { createRegistrar } from '../registrar/index.js';
import { OFFICE_KINDS, type OfficeKind } from '../registrar/repository.js';
import type { RegistrarService } from '../registrar/service.js';
import { accountFromPerson } from '../accounts/account-repository.js';
import type { Services } from '../services.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printTable } from './output.js';
import { counterCommands } from './registrar-counter.js';

// `kapi registrar`: office issuance over the server's own database, for administrators and tests. The
// same service layer as the registrar API: every counter command (registrar-counter.ts) names the office
// and the staff member (a registrar of that office, by identity number) and refuses without them. An
// issued password is printed once, for the sealed envelope, and kept nowhere but as its argon2id hash.

export function registrarCommand(ctx: CliContext): Command {
  const registrar = new Command('registrar').description('office issuance: offices, registrars, and passwords handed out or cancelled at a counter');
  const withRegistrar = <T>(action: (service: RegistrarService, services: Services) => Promise<T>) => ctx.withServices((services) => action(createRegistrar(services), services));

  // -- offices, roles, console clients (administration)

  const office = new Command('office').description('offices (PTT branches, Türksat Kablo offices, consulates)');
  office
    .command('add')
    .requiredOption('--code <code>', 'office code, e.g. PTT-ANK-KIZILAY')
    .requiredOption('--name <name>', 'display name, printed on receipts')
    .addOption(new Option('--kind <kind>', 'kind of office').choices([...OFFICE_KINDS]).default('ptt'))
    .option('--json', 'print JSON')
    .action(async (o: { code: string; name: string; kind: OfficeKind; json?: boolean }) => {
      const input = z.object({ code: z.string().regex(/^[A-Z0-9-]{3,32}$/, 'office codes are 3-32 capital letters, digits or dashes'), name: z.string().trim().min(1).max(200) }).parse(o);
      const added = await withRegistrar(async (service) => {
        if (await service.repository.findOffice(input.code)) throw new Error(`office ${input.code} already exists`);
        return service.repository.addOffice({ code: input.code, name: input.name, kind: o.kind });
      });
      if (o.json) return printJson(added);
      printFields({ code: added.code, name: added.name, kind: added.kind });
    });
  office
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await withRegistrar((service) => service.repository.listOffices());
      if (o.json) return printJson(all);
      printTable(['code', 'name', 'kind', 'active'], all.map((x) => ({ ...x })), '(no offices)');
    });
  for (const [verb, active] of [['close', false], ['open', true]] as const) {
    office
      .command(`${verb} <code>`)
      .description(active ? 'open an office for password services again' : 'close an office for password services')
      .action(async (code: string) => {
        const changed = await withRegistrar((service) => service.repository.setOfficeActive(code, active));
        if (!changed) throw new Error(`no office ${code}`);
        printFields({ office: code, active });
      });
  }
  registrar.addCommand(office);

  registrar
    .command('grant')
    .description('give an account the registrar role for one office (an account is created from the registry if needed)')
    .requiredOption('--office <code>', 'the office')
    .requiredOption('--national-id <number>', "the staff member's identity number")
    .requiredOption('--by <name>', 'who grants it (recorded)')
    .action(async (o: { office: string; nationalId: string; by: string }) => {
      await ctx.withServices(async (services) => {
        const service = createRegistrar(services);
        if (!(await service.repository.findOffice(o.office))) throw new Error(`no office ${o.office}`);
        let account = await services.accounts.findByNationalId(o.nationalId);
        if (!account) {
          const person = await services.registry.lookup(o.nationalId);
          if (!person || !person.alive) throw new Error(`the population registry knows no living person ${o.nationalId}`);
          account = await services.accounts.create(accountFromPerson(person));
        }
        await service.repository.grantRole(account.id, o.office, o.by);
        await services.audit.event({ type: 'registrar.role_granted', accountId: account.id, actor: `cli:${o.by}`, detail: { office: o.office } });
        printFields({ registrar: `${account.givenName} ${account.familyName}`, office: o.office });
      });
    });

  registrar
    .command('revoke')
    .description('take the registrar role away')
    .requiredOption('--national-id <number>', "the staff member's identity number")
    .requiredOption('--by <name>', 'who revokes it (recorded)')
    .action(async (o: { nationalId: string; by: string }) => {
      await ctx.withServices(async (services) => {
        const account = await services.accounts.findByNationalId(o.nationalId);
        if (!account || !(await createRegistrar(services).repository.revokeRole(account.id))) throw new Error(`${o.nationalId} holds no registrar role`);
        await services.audit.event({ type: 'registrar.role_revoked', accountId: account.id, actor: `cli:${o.by}` });
        printFields({ revoked: o.nationalId });
      });
    });

  registrar
    .command('staff')
    .description('list registrars')
    .option('--office <code>', 'only this office')
    .option('--json', 'print JSON')
    .action(async (o: { office?: string; json?: boolean }) => {
      const roles = await withRegistrar((service) => service.repository.listRoles(o.office));
      if (o.json) return printJson(roles);
      printTable(['office', 'national_id', 'name'], roles.map((r) => ({ office: r.officeCode, national_id: r.nationalId, name: r.name })), '(no registrars)');
    });

  registrar
    .command('console-client <client_id>')
    .description('accept access tokens of this OIDC client (the registrar console) on the registrar API')
    .action(async (clientId: string) => {
      await ctx.withServices(async (services) => {
        const stored = await services.clients.show(clientId);
        if (!stored) throw new Error(`no client ${clientId}`);
        if (stored.metadata.subject_type !== 'public') throw new Error(`client ${clientId} must use public subject identifiers (kapi clients add --public-subject) so the API can tell which registrar a token belongs to`);
        await createRegistrar(services).repository.allowConsoleClient(clientId);
        printFields({ 'registrar console': clientId });
      });
    });

  // -- the counter (registrar-counter.ts)
  for (const command of counterCommands(ctx)) registrar.addCommand(command);

  return registrar;
}
