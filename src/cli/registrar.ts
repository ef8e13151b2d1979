import { Command, Option } from 'commander';
import { createRegistrar } from '../registrar/index.js';
import { OFFICE_KINDS, type OfficeKind } from '../registrar/repository.js';
import { cliActor, operatorServices } from '../operators/index.js';
import type { OfficeAdmin } from '../registrar/office-admin.js';
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

  // -- offices, roles, console clients (administration)

  // Offices and staff go through the operators' shared rules (src/registrar/office-admin.ts), the ones
  // the operator console uses, and are written to the operators' audit trail.
  const withOffices = <T>(action: (offices: OfficeAdmin, services: Services) => Promise<T>) =>
    ctx.withServices((services) => action(operatorServices(services).offices, services));

  const office = new Command('office').description('offices (PTT branches, Türksat Kablo offices, consulates)');
  office
    .command('add')
    .requiredOption('--code <code>', 'office code, e.g. PTT-ANK-KIZILAY')
    .requiredOption('--name <name>', 'display name, printed on receipts')
    .addOption(new Option('--kind <kind>', 'kind of office').choices([...OFFICE_KINDS]).default('ptt'))
    .option('--by <name>', 'who adds it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (o: { code: string; name: string; kind: OfficeKind; by?: string; json?: boolean }) => {
      const added = await withOffices((offices) => offices.addOffice(cliActor(o.by), { code: o.code, name: o.name, kind: o.kind }));
      if (o.json) return printJson(added);
      printFields({ code: added.code, name: added.name, kind: added.kind });
    });
  office
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await withOffices((offices) => offices.listOffices());
      if (o.json) return printJson(all);
      printTable(
        ['code', 'name', 'kind', 'active'],
        all.map((x) => ({ ...x })),
        '(no offices)',
      );
    });
  for (const [verb, active] of [
    ['close', false],
    ['open', true],
  ] as const) {
    office
      .command(`${verb} <code>`)
      .description(active ? 'open an office for password services again' : 'close an office for password services')
      .option('--by <name>', 'who does it, for the audit trail (default: the system user)')
      .action(async (code: string, o: { by?: string }) => {
        await withOffices((offices) => offices.setActive(cliActor(o.by), code, active));
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
      const granted = await withOffices((offices) => offices.grant(cliActor(o.by), o.office, o.nationalId));
      printFields({ registrar: granted.name, office: o.office, ...(granted.movedFrom ? { 'moved from': granted.movedFrom } : {}) });
    });

  registrar
    .command('revoke')
    .description('take the registrar role away')
    .requiredOption('--national-id <number>', "the staff member's identity number")
    .requiredOption('--by <name>', 'who revokes it (recorded)')
    .action(async (o: { nationalId: string; by: string }) => {
      await withOffices(async (offices, services) => {
        const account = await services.accounts.findByNationalId(o.nationalId);
        if (!account) throw new Error(`${o.nationalId} holds no registrar role`);
        await offices.revoke(cliActor(o.by), account.id);
      });
      printFields({ revoked: o.nationalId });
    });

  registrar
    .command('staff')
    .description('list registrars')
    .option('--office <code>', 'only this office')
    .option('--json', 'print JSON')
    .action(async (o: { office?: string; json?: boolean }) => {
      const roles = await withOffices((offices) => offices.staff(o.office));
      if (o.json) return printJson(roles);
      printTable(
        ['office', 'national_id', 'name', 'granted_by'],
        roles.map((r) => ({ office: r.officeCode, national_id: r.nationalId, name: r.name, granted_by: r.grantedBy })),
        '(no registrars)',
      );
    });

  registrar
    .command('console-client <client_id>')
    .description('accept access tokens of this OIDC client (the registrar console) on the registrar API')
    .action(async (clientId: string) => {
      await ctx.withServices(async (services) => {
        const stored = await services.clients.show(clientId);
        if (!stored) throw new Error(`no client ${clientId}`);
        if (stored.metadata.subject_type !== 'public')
          throw new Error(
            `client ${clientId} must use public subject identifiers (kapi clients add --public-subject) so the API can tell which registrar a token belongs to`,
          );
        await createRegistrar(services).repository.allowConsoleClient(clientId);
        printFields({ 'registrar console': clientId });
      });
    });

  // -- the counter (registrar-counter.ts)
  for (const command of counterCommands(ctx)) registrar.addCommand(command);

  return registrar;
}
