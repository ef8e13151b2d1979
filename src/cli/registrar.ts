import { Command, Option } from 'commander';
import { z } from 'zod';
import { isLocale, translate, type Locale } from '../web/i18n.js';
import { createRegistrar } from '../registrar/index.js';
import { formatLira } from '../registrar/fees.js';
import { isRefusal } from '../registrar/refusal.js';
import { OFFICE_KINDS, type OfficeKind } from '../registrar/repository.js';
import type { RegistrarService } from '../registrar/service.js';
import type { StaffContext } from '../registrar/types.js';
import { accountFromPerson } from '../accounts/account-repository.js';
import type { Services } from '../services.js';
import { counterRequestSchema, toCounterRequest } from '../web/registrar-api/schemas.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printLine, printTable } from './output.js';

// `kapi registrar`: office issuance over the server's own database, for administrators and tests. The
// same service layer as the registrar API: every counter command names the office and the staff member
// (a registrar of that office, by identity number) and refuses without them. An issued password is
// printed once, for the sealed envelope, and kept nowhere but as its argon2id hash.

interface CounterOptions {
  office: string;
  staff: string;
  nationalId: string;
  channel: string;
  document: string[];
  repNationalId?: string;
  repDocument?: string;
  authorityNumber?: string;
  authorityDate?: string;
  authorityIssuer?: string;
  authorisesPasswordReceipt?: boolean;
  lang: string;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** "tr_identity_card:A12B34567" → { type, number } */
function parseDocument(value: string): { type: string; number: string } {
  const at = value.indexOf(':');
  if (at < 1) throw new Error(`a document is TYPE:NUMBER, e.g. tr_identity_card:A12B34567 (got "${value}")`);
  return { type: value.slice(0, at), number: value.slice(at + 1) };
}

function localeOf(lang: string): Locale {
  return isLocale(lang) ? lang : 'tr';
}

/** A refusal as the CLI's one error line, in the chosen language. */
async function refusalsAsErrors<T>(locale: Locale, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isRefusal(err)) throw new Error(`${err.code}: ${translate(locale, `registrar.refusal.${err.code}`, err.params)}`);
    throw err;
  }
}

/** The staff member: a registrar of the office, named by identity number. */
async function staffContext(services: Services, office: string, staffNationalId: string): Promise<StaffContext> {
  if (!office.trim()) throw new Error('--office is required: the office the counter belongs to');
  if (!staffNationalId.trim()) throw new Error('--staff is required: the identity number of the registrar at the counter');
  const account = await services.accounts.findByNationalId(staffNationalId.trim());
  // An unknown staff number is "not a registrar" (the service says so for a known one without the role).
  return { officeCode: office.trim(), staffAccountId: account?.id ?? '00000000-0000-0000-0000-000000000000', via: 'cli' };
}

function counterBody(o: CounterOptions) {
  const representative = o.repNationalId || o.repDocument || o.authorityNumber
    ? {
        national_id: o.repNationalId ?? '',
        document: o.repDocument ? parseDocument(o.repDocument) : { type: '', number: '' },
        authority: { number: o.authorityNumber ?? '', date: o.authorityDate ?? '', issuer: o.authorityIssuer ?? '', ...(o.authorisesPasswordReceipt ? { authorises_password_receipt: true } : {}) },
      }
    : undefined;
  const parsed = counterRequestSchema.safeParse({ national_id: o.nationalId, channel: o.channel, documents: o.document.map(parseDocument), ...(representative ? { representative } : {}) });
  if (!parsed.success) throw new Error(`invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
  return toCounterRequest(parsed.data);
}

function counterCommand(name: 'issue' | 'cancel', description: string): Command {
  return new Command(name)
    .description(description)
    .requiredOption('--office <code>', 'the office code (e.g. PTT-ANK-KIZILAY)')
    .requiredOption('--staff <national-id>', 'identity number of the registrar at the counter')
    .requiredOption('--national-id <number>', "the person's identity number")
    .addOption(new Option('--channel <channel>', 'who is at the counter').choices(['self', 'proxy', 'guardian']).default('self'))
    .option('--document <type:number>', "a document of the person (repeatable), e.g. tr_identity_card:A12B34567", collect, [])
    .option('--rep-national-id <number>', "the proxy's or guardian's identity number")
    .option('--rep-document <type:number>', "the proxy's or guardian's identity document")
    .option('--authority-number <number>', "the power of attorney's journal number or the court decision number")
    .option('--authority-date <YYYY-MM-DD>', 'date of the power of attorney or court decision')
    .option('--authority-issuer <name>', 'the notary or the court')
    .option('--authorises-password-receipt', 'the power of attorney states explicitly that the proxy may receive the password')
    .addOption(new Option('--lang <lang>', 'language of messages and the receipt').choices(['tr', 'en']).default('tr'))
    .option('--json', 'print JSON');
}

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

  // -- the counter

  registrar
    .command('check')
    .description('what staff see before handing out or cancelling a password')
    .requiredOption('--office <code>', 'the office code')
    .requiredOption('--staff <national-id>', 'identity number of the registrar at the counter')
    .requiredOption('--national-id <number>', "the person's identity number")
    .addOption(new Option('--lang <lang>', 'language').choices(['tr', 'en']).default('tr'))
    .option('--json', 'print JSON')
    .action(async (o: { office: string; staff: string; nationalId: string; lang: string; json?: boolean }) => {
      const locale = localeOf(o.lang);
      const check = await refusalsAsErrors(locale, () => withRegistrar(async (service, services) => service.check(await staffContext(services, o.office, o.staff), o.nationalId)));
      const out = {
        national_id: check.nationalId,
        name: check.name,
        identity_type: check.identityType,
        eligible: check.eligible,
        refusal: check.refusal ? translate(locale, `registrar.refusal.${check.refusal.code}`, check.refusal.params) : undefined,
        has_password: check.hasPassword,
        next_fee: formatLira(check.nextFeeKurus, locale),
        accepted_documents: check.acceptedDocuments,
      };
      if (o.json) return printJson(out);
      printFields(out);
    });

  registrar
    .addCommand(
      counterCommand('issue', 'hand out a new one-time password (printed once) and print the receipt').action(async (o: CounterOptions) => {
        const locale = localeOf(o.lang);
        const issued = await refusalsAsErrors(locale, () => withRegistrar(async (service, services) => service.issue(await staffContext(services, o.office, o.staff), counterBody(o))));
        if (o.json) {
          return printJson({ issuance_id: issued.record.id, national_id: issued.person.nationalId, name: issued.person.name, channel: issued.record.channel, fee_kurus: issued.record.feeKurus, account_created: issued.accountCreated, password_login_reopened: issued.passwordLoginReopened, password: issued.password, receipt: issued.receipt(locale) });
        }
        printLine(locale === 'tr' ? 'Tek kullanımlık şifre (yalnızca bir kez gösterilir; kapalı zarfa yazın):' : 'One-time password (shown once; write it into the sealed envelope):');
        printLine(`  ${issued.password}`);
        printLine();
        process.stdout.write(issued.receipt(locale));
      }),
    )
    .addCommand(
      counterCommand('cancel', 'cancel the password: it stops working and the sessions it started end').action(async (o: CounterOptions) => {
        const locale = localeOf(o.lang);
        const cancelled = await refusalsAsErrors(locale, () => withRegistrar(async (service, services) => service.cancel(await staffContext(services, o.office, o.staff), counterBody(o))));
        if (o.json) return printJson({ cancellation_id: cancelled.record.id, national_id: cancelled.person.nationalId, sessions_ended: cancelled.sessionsEnded, receipt: cancelled.receipt(locale) });
        process.stdout.write(cancelled.receipt(locale));
      }),
    );

  registrar
    .command('history')
    .description("the office's counter records, newest first")
    .requiredOption('--office <code>', 'the office code')
    .requiredOption('--staff <national-id>', 'identity number of the registrar asking')
    .option('--national-id <number>', 'only this person')
    .option('--limit <n>', 'at most this many (1-200)', '50')
    .addOption(new Option('--lang <lang>', 'language').choices(['tr', 'en']).default('tr'))
    .option('--json', 'print JSON')
    .action(async (o: { office: string; staff: string; nationalId?: string; limit: string; lang: string; json?: boolean }) => {
      const locale = localeOf(o.lang);
      const limit = z.coerce.number().int().min(1).max(200).parse(o.limit);
      const entries = await refusalsAsErrors(locale, () => withRegistrar(async (service, services) => service.history(await staffContext(services, o.office, o.staff), { nationalId: o.nationalId, limit })));
      if (o.json) return printJson(entries);
      printTable(
        ['at', 'kind', 'national_id', 'channel', 'fee', 'via'],
        entries.map((e) => ({ at: e.at, kind: e.kind, national_id: e.nationalId, channel: e.channel, fee: e.feeKurus === null ? null : formatLira(e.feeKurus, locale), via: e.staffVia })),
        '(no records)',
      );
    });

  return registrar;
}
