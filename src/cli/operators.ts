import { Command, Option } from 'commander';
import { accountFromPerson } from '../accounts/account-repository.js';
import { KapiError } from '../errors.js';
import { cliActor, operatorServices } from '../operators/index.js';
import { OPERATOR_ROLES, type OperatorRole } from '../operators/roles.js';
import { maskNationalId } from '../registrar/receipt.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printTable } from './output.js';

// `kapi operators grant|revoke|list`: who may use the operator console (issue 23 point 2; DESIGN.md
// third round, "Consoles": `kapi operators grant` creates the first administrator). An administrator
// changes institutions, offices and keys; an auditor reads only. Every grant and revocation is written
// to the operators' audit trail, which the console shows.

export function operatorsCommand(ctx: CliContext): Command {
  const operators = new Command('operators').description('operator console roles: administrator (changes) and auditor (read only)');

  operators
    .command('grant')
    .description('give an account an operator role (an account is created from the population registry if needed)')
    .argument('<national-id>', "the operator's identity number")
    .addOption(new Option('--role <role>', 'the role').choices([...OPERATOR_ROLES]).makeOptionMandatory())
    .option('--by <name>', 'who grants it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (nationalId: string, o: { role: OperatorRole; by?: string; json?: boolean }) => {
      const granted = await ctx.withServices(async (services) => {
        let account = await services.accounts.findByNationalId(nationalId);
        if (!account) {
          const person = await services.registry.lookup(nationalId);
          if (!person || !person.alive) throw new KapiError('not_found', `the population registry knows no living person ${nationalId}`);
          account = await services.accounts.create(accountFromPerson(person));
        }
        const actor = cliActor(o.by);
        const { roles, trail } = operatorServices(services);
        const id = account.id;
        await services.db.transaction(async (trx) => {
          await roles.grant(id, o.role, actor.label, trx);
          await trail.record(actor, { action: 'operator.grant', target: maskNationalId(nationalId), detail: { role: o.role, account_id: id } }, trx);
        });
        return { operator: `${account.givenName} ${account.familyName}`, national_id: nationalId, role: o.role };
      });
      if (o.json) return printJson(granted);
      printFields(granted);
    });

  operators
    .command('revoke')
    .description('take an operator role away')
    .argument('<national-id>', "the operator's identity number")
    .option('--by <name>', 'who revokes it, for the audit trail (default: the system user)')
    .option('--json', 'print JSON')
    .action(async (nationalId: string, o: { by?: string; json?: boolean }) => {
      await ctx.withServices(async (services) => {
        const account = await services.accounts.findByNationalId(nationalId);
        const actor = cliActor(o.by);
        const { roles, trail } = operatorServices(services);
        const revoked = account
          ? await services.db.transaction(async (trx) => {
              const gone = await roles.revoke(account.id, trx);
              if (gone) await trail.record(actor, { action: 'operator.revoke', target: maskNationalId(nationalId), detail: { account_id: account.id } }, trx);
              return gone;
            })
          : false;
        if (!revoked) throw new KapiError('not_found', `${nationalId} holds no operator role`);
      });
      if (o.json) return printJson({ national_id: nationalId, revoked: true });
      printFields({ revoked: nationalId });
    });

  operators
    .command('list')
    .description('list operators and their roles')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await ctx.withServices((services) => operatorServices(services).roles.list());
      if (o.json)
        return printJson(all.map((r) => ({ national_id: r.nationalId, name: r.name, role: r.role, granted_by: r.grantedBy, granted_at: r.grantedAt })));
      printTable(
        ['national_id', 'name', 'role', 'granted_by', 'granted_at'],
        all.map((r) => ({ national_id: r.nationalId, name: r.name, role: r.role, granted_by: r.grantedBy, granted_at: r.grantedAt })),
        '(no operators)',
      );
    });

  return operators;
}
