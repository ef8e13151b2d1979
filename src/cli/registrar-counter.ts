import { randomUUID } from 'node:crypto';
import { Command, type CommanderError } from 'commander';
import { validateNationalId } from '../identity/national-id.js';
import { isLocale, translate, type Locale, type MessageKey } from '../i18n/index.js';
import { CHANNEL_NAME, IDENTITY_NAME, KIND_NAME } from '../registrar/messages.js';
import { createRegistrar } from '../registrar/index.js';
import { formatLira } from '../registrar/fees.js';
import { CounterAttempt } from '../registrar/idempotency.js';
import { isRefusal, RegistrarRefusal } from '../registrar/refusal.js';
import type { RegistrarService } from '../registrar/service.js';
import type { StaffContext } from '../registrar/types.js';
import { documentRule, refusalMessage } from '../registrar/wording.js';
import type { Services } from '../services.js';
import { asOutage } from '../web/outage.js';
import { invalidRequest } from '../web/registrar-api/invalid.js';
import { counterRequestSchema, toCounterRequest } from '../web/registrar-api/schemas.js';
import type { CliContext } from './main.js';
import { printFields, printJson, printLine, printTable } from './output.js';

// The counter commands of `kapi registrar` (check, issue, cancel, history), as a clerk meets them in
// her first hour: every message in her language (Turkish by default; English with --lang en or an
// English LANG), never a library's own text; an identity number checked before anyone is looked up
// (a typo is not "unknown person"); times in the office's time zone. An issuance or cancellation
// carries its own Idempotency-Key and reuses it on its own retries, so a timeout after the commit
// neither issues twice nor charges twice; when the outcome stays unknown the error names the key to
// resume with.

/** Waits between the command's own tries when the database cannot be reached. */
const RETRY_DELAYS_MS = [300, 1000];
export const DEFAULT_TIME_ZONE = 'Europe/Istanbul';

interface CounterOptions {
  office?: string;
  staff?: string;
  nationalId?: string;
  channel?: string;
  document: string[];
  repNationalId?: string;
  repDocument?: string;
  authorityNumber?: string;
  authorityDate?: string;
  authorityIssuer?: string;
  authorisesPasswordReceipt?: boolean;
  idempotencyKey?: string;
  lang?: string;
  json?: boolean;
}

/** The language of the environment: LC_ALL, LC_MESSAGES, then LANG ("en_US.UTF-8" is English). */
function environmentLocale(env: NodeJS.ProcessEnv): Locale {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (!value) continue;
    const lang = value.split(/[_.@-]/)[0]?.toLowerCase();
    return isLocale(lang) ? lang : 'tr';
  }
  return 'tr';
}

/** --lang, else the environment's language, else Turkish. */
export function clerkLocale(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Locale {
  const fallback = environmentLocale(env);
  if (option === undefined) return fallback;
  if (isLocale(option)) return option;
  throw new Error(translate(fallback, 'registrar.cli.choice', { option: '--lang', value: option, choices: 'tr, en' }));
}

/** The command-line option a field of the request came from. */
function optionOf(field: string): string {
  if (field === 'national_id') return '--national-id';
  if (field.startsWith('documents')) return '--document';
  if (field === 'representative' || field === 'representative.national_id') return '--rep-national-id';
  if (field.startsWith('representative.document')) return '--rep-document';
  if (field === 'representative.authority.authorises_password_receipt') return '--authorises-password-receipt';
  if (field.startsWith('representative.authority.')) return `--authority-${field.split('.').pop()}`;
  return `--${field.replace(/_/g, '-')}`;
}

/** A refusal as the CLI's one error line: `code: message`, in the clerk's language. */
async function refusalsAsErrors<T>(locale: Locale, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isRefusal(err)) throw new Error(`${err.code}: ${refusalMessage(locale, err, optionOf)}`);
    throw err;
  }
}

function required(locale: Locale, value: string | undefined, option: string, what: MessageKey): string {
  if (!value?.trim()) throw new Error(translate(locale, 'registrar.cli.option_required', { option, what: translate(locale, what) }));
  return value.trim();
}

function identityNumber(locale: Locale, value: string | undefined, option: string, what: MessageKey): string {
  const checked = validateNationalId(required(locale, value, option, what));
  if (!checked.ok) throw new Error(`invalid_identity_number: ${refusalMessage(locale, new RegistrarRefusal('invalid_identity_number', { field: option }))}`);
  return checked.number;
}

interface Counter {
  office: string;
  staffNationalId: string;
}

/** The office and the staff member as typed: checked before the database is opened. */
function counterOf(locale: Locale, o: { office?: string; staff?: string }): Counter {
  return {
    office: required(locale, o.office, '--office', 'registrar.cli.what.office'),
    staffNationalId: identityNumber(locale, o.staff, '--staff', 'registrar.cli.what.staff'),
  };
}

/** The staff member: a registrar of the office, named by identity number. */
async function staffContext(services: Services, counter: Counter): Promise<StaffContext> {
  const account = await services.accounts.findByNationalId(counter.staffNationalId);
  // An unknown staff number is "not a registrar" (the service says so for a known one without the role).
  return { officeCode: counter.office, staffAccountId: account?.id ?? '00000000-0000-0000-0000-000000000000', via: 'cli' };
}

/** "tr_identity_card:A12B34567" → { type, number } */
function parseDocument(locale: Locale, option: string, value: string): { type: string; number: string } {
  const at = value.indexOf(':');
  if (at < 1) throw new Error(translate(locale, 'registrar.cli.document_format', { option, value }));
  return { type: value.slice(0, at), number: value.slice(at + 1) };
}

function counterBody(locale: Locale, o: CounterOptions) {
  const channel = o.channel ?? 'self';
  if (!['self', 'proxy', 'guardian'].includes(channel))
    throw new Error(translate(locale, 'registrar.cli.choice', { option: '--channel', value: channel, choices: 'self, proxy, guardian' }));
  const representative =
    o.repNationalId || o.repDocument || o.authorityNumber || o.authorityDate || o.authorityIssuer
      ? {
          national_id: o.repNationalId,
          document: o.repDocument ? parseDocument(locale, '--rep-document', o.repDocument) : undefined,
          authority: {
            number: o.authorityNumber,
            date: o.authorityDate,
            issuer: o.authorityIssuer,
            ...(o.authorisesPasswordReceipt ? { authorises_password_receipt: true } : {}),
          },
        }
      : undefined;
  const input = {
    national_id: o.nationalId,
    channel,
    documents: o.document.map((d) => parseDocument(locale, '--document', d)),
    ...(representative ? { representative } : {}),
  };
  const parsed = counterRequestSchema.safeParse(input);
  if (!parsed.success) throw invalidRequest(parsed.error, input);
  return toCounterRequest(parsed.data);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an issuance or cancellation under one attempt: tried again, with the same key, while the
 * database cannot be reached (the commit may have been applied and its answer lost). When it never
 * answers, the error names the key that resumes the request.
 */
async function withRetries<T>(locale: Locale, attempt: CounterAttempt, run: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await run();
    } catch (err) {
      if (!asOutage(err)) throw err;
      if (tries >= RETRY_DELAYS_MS.length) throw new Error(translate(locale, 'registrar.cli.outcome_unknown', { key: attempt.key }), { cause: err });
      await sleep(RETRY_DELAYS_MS[tries]!);
    }
  }
}

function attemptOf(o: CounterOptions): CounterAttempt {
  return new CounterAttempt(o.idempotencyKey?.trim() || randomUUID());
}

/** The argv's --lang (for commander's own errors, raised before the options are parsed). */
function argvLocale(argv: readonly string[]): Locale {
  const at = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const value = at < 0 ? undefined : argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
  try {
    return clerkLocale(value);
  } catch {
    return environmentLocale(process.env);
  }
}

/** Commander's own errors (an unknown option, an option without its value) in the clerk's language. */
function clerkErrors(command: Command): Command {
  return command.configureOutput({ outputError: () => undefined }).exitOverride((err: CommanderError) => {
    if (err.exitCode === 0) return; // --help: commander exits 0 after printing it
    const locale = argvLocale(process.argv);
    const option = /'(--[a-z-]+)/.exec(err.message)?.[1] ?? '';
    if (err.code === 'commander.unknownOption') throw new Error(translate(locale, 'registrar.cli.unknown_option', { option }));
    if (err.code === 'commander.optionMissingArgument') throw new Error(translate(locale, 'registrar.cli.option_value_missing', { option }));
    throw new Error(err.message.replace(/^error: /, ''));
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function staffOptions(command: Command): Command {
  return command
    .option('--office <code>', 'the office code (e.g. PTT-ANK-KIZILAY)')
    .option('--staff <national-id>', 'identity number of the registrar at the counter')
    .option('--lang <lang>', 'language of messages and the receipt: tr or en (default: from LC_ALL / LC_MESSAGES / LANG, else tr)')
    .option('--json', 'print JSON');
}

function counterCommand(name: 'issue' | 'cancel', description: string): Command {
  return clerkErrors(
    staffOptions(new Command(name).description(description))
      .option('--national-id <number>', "the person's identity number")
      .option('--channel <channel>', 'who is at the counter: self, proxy or guardian (default self)')
      .option('--document <type:number>', 'a document of the person (repeatable), e.g. tr_identity_card:A12B34567', collect, [])
      .option('--rep-national-id <number>', "the proxy's or guardian's identity number")
      .option('--rep-document <type:number>', "the proxy's or guardian's identity document")
      .option('--authority-number <number>', "the power of attorney's journal number or the court decision number")
      .option('--authority-date <YYYY-MM-DD>', 'date of the power of attorney or court decision')
      .option('--authority-issuer <name>', 'the notary or the court')
      .option('--authorises-password-receipt', 'the power of attorney states explicitly that the proxy may receive (or have cancelled) the password')
      .option('--idempotency-key <key>', 'resume a request whose outcome is unknown, with the key its failed run printed (default: a new key)'),
  );
}

/** "2026-03-01 14:05" in the office's time zone. */
function localTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(at);
}

function timeZoneOf(locale: Locale, value: string | undefined): string {
  const zone = value?.trim() || DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    throw new Error(translate(locale, 'registrar.cli.time_zone', { value: zone }));
  }
}

export function counterCommands(ctx: CliContext): Command[] {
  const withRegistrar = <T>(action: (service: RegistrarService, services: Services) => Promise<T>) =>
    ctx.withServices((services) => action(createRegistrar(services), services));

  const check = clerkErrors(
    staffOptions(new Command('check').description('what staff see before handing out or cancelling a password')).option(
      '--national-id <number>',
      "the person's identity number",
    ),
  ).action(async (o: { office?: string; staff?: string; nationalId?: string; lang?: string; json?: boolean }) => {
    const locale = clerkLocale(o.lang);
    const counter = counterOf(locale, o);
    // The checksum first: a typo is an invalid number, not an unknown person.
    const nationalId = identityNumber(locale, o.nationalId, '--national-id', 'registrar.cli.what.national_id');
    const found = await refusalsAsErrors(locale, () =>
      withRegistrar(async (service, services) => service.check(await staffContext(services, counter), nationalId)),
    );
    const rule = documentRule(found.identityType, locale);
    const refusal = found.refusal ? refusalMessage(locale, found.refusal, optionOf) : undefined;
    if (o.json) {
      return printJson({
        national_id: found.nationalId,
        name: found.name,
        identity_type: found.identityType,
        eligible: found.eligible,
        refusal_code: found.refusal?.code,
        refusal,
        has_password: found.hasPassword,
        next_fee: formatLira(found.nextFeeKurus, locale),
        accepted_documents: found.acceptedDocuments,
        document_rule: rule,
      });
    }
    const t = (key: MessageKey) => translate(locale, key);
    const yesNo = (v: boolean) => t(v ? 'registrar.cli.yes' : 'registrar.cli.no');
    printFields({
      [t('registrar.cli.check.national_id')]: found.nationalId,
      [t('registrar.cli.check.name')]: found.name,
      [t('registrar.cli.check.identity_type')]: t(IDENTITY_NAME[found.identityType]),
      [t('registrar.cli.check.eligible')]: yesNo(found.eligible),
      ...(refusal ? { [t('registrar.cli.check.refusal')]: refusal } : {}),
      [t('registrar.cli.check.has_password')]: yesNo(found.hasPassword),
      [t('registrar.cli.check.next_fee')]: formatLira(found.nextFeeKurus, locale),
      [t('registrar.cli.check.documents')]: rule,
    });
  });

  const issue = counterCommand('issue', 'hand out a new one-time password (printed once) and print the receipt').action(async (o: CounterOptions) => {
    const locale = clerkLocale(o.lang);
    const attempt = attemptOf(o);
    const issued = await refusalsAsErrors(locale, async () => {
      const counter = counterOf(locale, o);
      identityNumber(locale, o.nationalId, '--national-id', 'registrar.cli.what.national_id');
      const request = counterBody(locale, o);
      return withRegistrar(async (service, services) => {
        const staff = await staffContext(services, counter);
        return withRetries(locale, attempt, () => service.issue(staff, request, attempt));
      });
    });
    if (o.json) {
      return printJson({
        issuance_id: issued.record.id,
        national_id: issued.person.nationalId,
        name: issued.person.name,
        channel: issued.record.channel,
        fee_kurus: issued.record.feeKurus,
        account_created: issued.accountCreated,
        password_login_reopened: issued.passwordLoginReopened,
        password: issued.password ?? null,
        replayed: issued.replayed,
        idempotency_key: attempt.key,
        receipt: issued.receipt(locale),
      });
    }
    if (issued.replayed) printLine(translate(locale, 'registrar.cli.replayed', { id: issued.record.id }));
    if (issued.password) {
      printLine(translate(locale, 'registrar.cli.password_once'));
      printLine(`  ${issued.password}`);
    } else {
      printLine(translate(locale, 'registrar.cli.replayed_no_password'));
    }
    printLine();
    process.stdout.write(issued.receipt(locale));
  });

  const cancel = counterCommand('cancel', 'cancel the password: it stops working and every session of the person ends').action(async (o: CounterOptions) => {
    const locale = clerkLocale(o.lang);
    const attempt = attemptOf(o);
    const cancelled = await refusalsAsErrors(locale, async () => {
      const counter = counterOf(locale, o);
      identityNumber(locale, o.nationalId, '--national-id', 'registrar.cli.what.national_id');
      const request = counterBody(locale, o);
      return withRegistrar(async (service, services) => {
        const staff = await staffContext(services, counter);
        return withRetries(locale, attempt, () => service.cancel(staff, request, attempt));
      });
    });
    if (o.json)
      return printJson({
        cancellation_id: cancelled.record.id,
        national_id: cancelled.person.nationalId,
        sessions_ended: cancelled.sessionsEnded,
        replayed: cancelled.replayed,
        idempotency_key: attempt.key,
        receipt: cancelled.receipt(locale),
      });
    if (cancelled.replayed) printLine(translate(locale, 'registrar.cli.replayed', { id: cancelled.record.id }));
    process.stdout.write(cancelled.receipt(locale));
  });

  const history = clerkErrors(staffOptions(new Command('history').description("the office's counter records, newest first, in the office's local time")))
    .option('--national-id <number>', 'only this person')
    .option('--limit <n>', 'at most this many (1-200)', '50')
    .option('--time-zone <zone>', `the office's time zone (IANA name; default ${DEFAULT_TIME_ZONE})`)
    .action(async (o: { office?: string; staff?: string; nationalId?: string; limit: string; timeZone?: string; lang?: string; json?: boolean }) => {
      const locale = clerkLocale(o.lang);
      const timeZone = timeZoneOf(locale, o.timeZone);
      const limit = Number(o.limit);
      if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 200)
        throw new Error(translate(locale, 'registrar.invalid.number', { field: '--limit', min: 1, max: 200 }));
      const counter = counterOf(locale, o);
      const nationalId = o.nationalId === undefined ? undefined : identityNumber(locale, o.nationalId, '--national-id', 'registrar.cli.what.national_id');
      const entries = await refusalsAsErrors(locale, () =>
        withRegistrar(async (service, services) => service.history(await staffContext(services, counter), { nationalId, limit })),
      );
      if (o.json) return printJson(entries.map((e) => ({ ...e, localTime: localTime(e.at, timeZone), timeZone })));
      const columns = ['at', 'kind', 'national_id', 'channel', 'fee', 'staff', 'via'] as const;
      const heading = {
        at: translate(locale, 'registrar.cli.history.at', { zone: timeZone }),
        kind: translate(locale, 'registrar.cli.history.kind'),
        national_id: translate(locale, 'registrar.cli.history.national_id'),
        channel: translate(locale, 'registrar.cli.history.channel'),
        fee: translate(locale, 'registrar.cli.history.fee'),
        staff: translate(locale, 'registrar.cli.history.staff'),
        via: translate(locale, 'registrar.cli.history.via'),
      } satisfies Record<(typeof columns)[number], string>;
      printTable(
        columns,
        entries.map((e) => ({
          at: localTime(e.at, timeZone),
          kind: translate(locale, KIND_NAME[e.kind]),
          national_id: e.nationalId,
          channel: translate(locale, CHANNEL_NAME[e.channel]),
          fee: e.feeKurus === null ? null : formatLira(e.feeKurus, locale),
          staff: e.staffName,
          via: e.staffVia,
        })),
        translate(locale, 'registrar.cli.history.empty'),
        columns.map((c) => heading[c]),
      );
    });

  return [check, issue, cancel, history];
}
