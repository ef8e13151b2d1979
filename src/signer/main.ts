import { Command, CommanderError, Option } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, SignerError, usageError } from './errors.js';
import { JourneyError, signTransaction } from './journey.js';
import { isLang, message, type Lang, type MessageKey, type MessageParams } from './messages.js';
import { PRESET_NAMES, PRESETS, findPresetModule, isPreset, resolveModule } from './modules.js';
import { withModule } from './pkcs11-session.js';
import { choose } from './prompt.js';
import { parseServerUrl } from './protocol.js';
import { describeCertificate, splitCertificates } from './selection.js';

// `kapi-signer`: the desktop helper a citizen runs to sign Kapı's login challenge with an ID card or
// e-signature token. A separate program: it shares no code with the server and talks to it only
// over HTTP (docs/smart-card-protocol.md). Human messages go to stderr, the result to stdout.

const DEFAULT_SERVER = 'http://localhost:3000';

interface CliOptions {
  server: string;
  code?: string;
  card?: string;
  module?: string;
  tokenLabel?: string;
  cert?: string;
  list?: boolean;
  pinFile?: string;
  pinStdin?: boolean;
  rsaPss?: boolean;
  yes?: boolean;
  lang: string;
  json?: boolean;
  timeout: string;
}

/** --lang is needed before commander runs (the help text is translated), so it is read by hand. */
function languageOf(argv: string[]): Lang {
  let value = process.env.KAPI_SIGNER_LANG;
  argv.forEach((arg, i) => {
    if (arg === '--lang') value = argv[i + 1];
    else if (arg.startsWith('--lang=')) value = arg.slice('--lang='.length);
  });
  return value && isLang(value) ? value : 'tr';
}

/** Anything that looks like a PIN option. Refused before parsing, and without repeating its value. */
function pinOnCommandLine(argv: string[]): boolean {
  return argv.some((arg) => /^--?pin(=|$)/i.test(arg) || /^--pin-?code(=|$)/i.test(arg));
}

function program(lang: Lang): Command {
  const t = (key: MessageKey, params?: MessageParams) => message(lang, key, params);
  return (
    new Command('kapi-signer')
      .description(t('help_description'))
      .addOption(new Option('--server <url>', t('help_server')).default(process.env.KAPI_SIGNER_SERVER ?? DEFAULT_SERVER))
      .option('--code <code>', t('help_code'))
      .option('--card <type>', t('help_card', { presets: PRESET_NAMES.join(', ') }))
      .option('--module <path>', t('help_module'))
      .option('--token-label <label>', t('help_token_label'))
      .option('--cert <n|label|id>', t('help_cert'))
      .option('--list', t('help_list'))
      .option('--pin-file <path>', t('help_pin_file'))
      .option('--pin-stdin', t('help_pin_stdin'))
      .option('--rsa-pss', t('help_rsa_pss'))
      .option('--yes', t('help_yes'))
      .addOption(new Option('--lang <lang>', t('help_lang')).default(lang))
      .option('--json', t('help_json'))
      .option('--timeout <seconds>', t('help_timeout'), '20')
      .helpOption('-h, --help', t('help_help'))
      .addHelpText('after', `\n${t('help_footer')}`)
      .showHelpAfterError()
      .exitOverride()
      // Commander repeats an unknown option as typed; `--pn=1234` must not put a PIN on the screen.
      .configureOutput({ outputError: (text, write) => write(text.replace(/(--?[\w-]+)=[^'\s]*/g, '$1=…')) })
  );
}

/** The module from --card / --module; with neither, the person picks a card type. */
async function modulePath(options: CliOptions, lang: Lang, interactive: boolean): Promise<string> {
  if (options.card || options.module || !interactive) return resolveModule(options.card, options.module);
  const installed = PRESET_NAMES.filter((name) => findPresetModule(name));
  if (installed.length === 0) return resolveModule('akis', undefined); // explains where the driver was looked for
  const index = await choose(
    message(lang, 'ask_card_type'),
    installed.map((name) => `${name}: ${message(lang, PRESETS[name].label)}`),
    (max) => message(lang, 'ask_choice', { max }),
  );
  const chosen = installed[index];
  return resolveModule(chosen && isPreset(chosen) ? chosen : 'akis', undefined);
}

async function list(path: string, lang: Lang, json: boolean): Promise<void> {
  await withModule(path, async (module) => {
    const tokens = module.tokens().map((token) => {
      const session = module.open(token);
      try {
        return { token, ...splitCertificates(session.certificates()) };
      } finally {
        session.close();
      }
    });
    if (json) {
      const cert = (c: (typeof tokens)[number]['usable'][number], i?: number) => ({
        ...(i === undefined ? {} : { n: i + 1 }),
        holder: c.holder,
        issuer: c.issuer,
        label: c.label,
        id: c.idHex,
        not_after: c.notAfter.toISOString(),
        key: c.key.kind === 'rsa' ? `RSA ${c.key.bits}` : c.key.kind === 'ec' ? `EC ${c.key.curve}` : c.key.description,
      });
      const out = tokens.map(({ token, usable, cas }) => ({
        label: token.label,
        manufacturer: token.manufacturer,
        model: token.model,
        serial: token.serial,
        pin_locked: token.pinLocked,
        certificates: usable.map((c, i) => cert(c, i)),
        ca_certificates: cas.map((c) => cert(c)),
      }));
      process.stdout.write(`${JSON.stringify({ module: path, tokens: out })}\n`);
      return;
    }
    if (tokens.length === 0) process.stdout.write(`${message(lang, 'list_no_tokens')}\n`);
    for (const { token, usable, cas } of tokens) {
      process.stdout.write(
        `${message(lang, 'list_token', { label: token.label, manufacturer: token.manufacturer, model: token.model, serial: token.serial })}\n`,
      );
      if (usable.length === 0 && cas.length === 0) process.stdout.write(`  ${message(lang, 'list_no_certificates')}\n`);
      usable.forEach((c, i) => {
        process.stdout.write(`  ${i + 1}) ${describeCertificate(lang, c)}\n`);
      });
      cas.forEach((c) => {
        process.stdout.write(`  -  ${describeCertificate(lang, c)} (${message(lang, 'list_ca')})\n`);
      });
    }
  });
}

async function run(options: CliOptions, lang: Lang): Promise<void> {
  const json = options.json === true;
  if (options.pinFile !== undefined && options.pinStdin) throw usageError('pin_sources');
  // With --pin-stdin, standard input carries the PIN, so it cannot answer questions as well.
  const interactive = !options.yes && !options.pinStdin && process.stdin.isTTY === true;
  if (options.list) return list(await modulePath(options, lang, interactive), lang, json);

  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usageError('usage', { detail: `--timeout ${options.timeout}` });
  const server = parseServerUrl(options.server);
  const path = await modulePath(options, lang, interactive);
  const say = (key: MessageKey, params?: MessageParams) => {
    if (!json) process.stderr.write(`${message(lang, key, params)}\n`);
  };
  const result = await signTransaction({
    server,
    code: options.code,
    modulePath: path,
    tokenLabel: options.tokenLabel,
    cert: options.cert,
    pinFile: options.pinFile,
    pinStdin: options.pinStdin === true,
    rsaPss: options.rsaPss === true,
    interactive,
    lang,
    timeoutMs: timeoutSeconds * 1000,
    say,
  });
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ status: 'accepted', transaction_id: result.transactionId, algorithm: result.algorithm, holder: result.holder, issuer: result.issuer })}\n`,
    );
  } else {
    process.stdout.write(`${message(lang, 'accepted')}\n`);
  }
}

function fail(err: unknown, lang: Lang, json: boolean): number {
  const reported = err instanceof JourneyError ? err.reported : false;
  const inner = err instanceof JourneyError ? err.error : err;
  const error = inner instanceof SignerError ? inner : new SignerError('unexpected', { detail: inner instanceof Error ? inner.message : String(inner) });
  const text = message(lang, error.key, error.params).trim();
  process.stderr.write(`${text}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ status: 'error', error: error.code, message: text, reported })}\n`);
  return error.exitCode;
}

export async function main(argv: string[]): Promise<number> {
  const lang = languageOf(argv);
  const json = argv.includes('--json');
  if (pinOnCommandLine(argv)) return fail(usageError('pin_argument'), lang, json);
  const cli = program(lang);
  try {
    cli.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw err;
  }
  const options = cli.opts<CliOptions>();
  if (!isLang(options.lang)) return fail(usageError('bad_lang'), lang, json);
  try {
    await run(options, options.lang);
    return 0;
  } catch (err) {
    return fail(err, options.lang, json);
  }
}

// Exit explicitly: an idle keep-alive connection to Kapı must not hold the person's terminal.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kapi-signer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
