import { SignerError, cardError, usageError } from './errors.js';
import { message, type Lang, type MessageKey, type MessageParams } from './messages.js';
import { withModule, type CardSession, type Signature, type TokenCertificate } from './pkcs11-session.js';
import { askLine, askSecret, readPinFile, readStdinLine } from './prompt.js';
import { SignerClient, displayCode, normaliseCode, type Transaction } from './protocol.js';
import { chooseCertificate, openToken, splitCertificates, type Chooser } from './selection.js';

// The citizen's journey, step 3 to 5 of docs/smart-card-protocol.md: code → transaction → card →
// certificate → PIN → signature → Kapı. The transaction is fetched before the card is touched, so a
// mistyped or expired code is caught before anyone types a PIN, and so a card failure can be reported
// to the waiting browser page.

export interface SignOptions {
  server: URL;
  code: string | undefined;
  modulePath: string;
  tokenLabel: string | undefined;
  cert: string | undefined;
  pinFile: string | undefined;
  pinStdin: boolean;
  rsaPss: boolean;
  interactive: boolean;
  lang: Lang;
  timeoutMs: number;
  /** Progress for the person (stderr); silent with --json. */
  say: (key: MessageKey, params?: MessageParams) => void;
}

export interface SignResult {
  transactionId: string;
  algorithm: Signature['algorithm'];
  holder: string;
  issuer: string;
  /** Whether a card failure was reported to Kapı (only meaningful on failure). */
  reported?: boolean;
}

/** A SignerError that also tells whether Kapı was told about it. */
export class JourneyError extends Error {
  constructor(
    readonly error: SignerError,
    readonly reported: boolean,
  ) {
    super(error.message);
  }
}

/** The time (this computer's clock and zone) and the place of the sign-in, as the person reads them. */
export function originParams(lang: Lang, transaction: Pick<Transaction, 'startedAt' | 'place'>): { time: string; place: string } {
  const time = new Date((transaction.startedAt ?? 0) * 1000).toLocaleString(lang === 'tr' ? 'tr-TR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  const place = transaction.place === 'local' ? message(lang, 'place_local') : (transaction.place ?? message(lang, 'place_unknown'));
  return { time, place };
}

async function transactionCode(options: SignOptions): Promise<string> {
  if (options.code !== undefined) return normaliseCode(options.code);
  if (!options.interactive) throw usageError('code_required');
  for (;;) {
    try {
      return normaliseCode(await askLine(message(options.lang, 'ask_code')));
    } catch (err) {
      if (!(err instanceof SignerError) || err.key !== 'invalid_code') throw err;
      process.stderr.write(`${message(options.lang, 'invalid_code')}\n`);
    }
  }
}

/** Where the PIN comes from. Only a PIN typed at the terminal can be asked for again. */
function pinSource(options: SignOptions, tokenLabel: string): { read: () => Promise<string>; retry: boolean } {
  const warn = () => process.stderr.write(`${message(options.lang, 'pin_file_readable', { path: options.pinFile ?? '' })}\n`);
  const nonEmpty = (pin: string) => {
    if (!pin) throw usageError('pin_empty');
    return pin;
  };
  if (options.pinFile !== undefined) return { read: async () => nonEmpty(readPinFile(options.pinFile as string, warn)), retry: false };
  if (options.pinStdin) return { read: async () => nonEmpty(await readStdinLine()), retry: false };
  if (!options.interactive || !process.stdin.isTTY) return { read: () => Promise.reject(usageError('pin_required')), retry: false };
  return {
    read: async () => {
      const pin = await askSecret(message(options.lang, 'ask_pin', { token: tokenLabel }));
      if (!pin) throw cardError('cancelled');
      return pin;
    },
    retry: true,
  };
}

/** Logs in; at the terminal a wrong PIN is asked again until it is right, given up, or locked. */
async function login(options: SignOptions, session: CardSession, refresh: () => { pinLocked: boolean; pinFinalTry: boolean }): Promise<void> {
  const token = session.token;
  if (token.pinLocked) throw cardError('pin_locked');
  const usesPinPad = token.protectedAuthPath && options.pinFile === undefined && !options.pinStdin;
  if (usesPinPad) return session.login(undefined);
  const source = pinSource(options, token.label);
  if (token.pinFinalTry) options.say('pin_final_try_warning');
  for (;;) {
    const pin = await source.read();
    try {
      return session.login(pin);
    } catch (err) {
      if (!(err instanceof SignerError) || err.reason !== 'pin_incorrect' || !source.retry) throw err;
      const state = refresh();
      if (state.pinLocked) throw cardError('pin_locked');
      process.stderr.write(`${message(options.lang, 'ask_pin_again')}\n`);
      if (state.pinFinalTry) process.stderr.write(`${message(options.lang, 'pin_final_try_warning')}\n`);
    }
  }
}

async function signWithCard(
  options: SignOptions,
  transaction: Transaction,
): Promise<{ signature: Signature; certificate: TokenCertificate; chain: TokenCertificate[] }> {
  const chooser: Chooser = { lang: options.lang, interactive: options.interactive };
  return withModule(options.modulePath, async (module) => {
    const { token, session, certificates } = await openToken(chooser, module, options.tokenLabel);
    try {
      const certificate = await chooseCertificate(chooser, certificates, options.cert).catch((err: unknown) => {
        // No certificate at all is most often the other kind of card: say which card this sign-in needs.
        if (err instanceof SignerError && err.reason === 'no_certificate')
          throw cardError('no_certificate', transaction.profile === 'id-card' ? 'no_certificate_id_card' : 'no_certificate_e_signature');
        throw err;
      });
      options.say('certificate_chosen', { holder: certificate.holder, issuer: certificate.issuer });
      await login(options, session, () => module.refresh(token));
      options.say('signing');
      const signature = session.sign(certificate, transaction.challenge, { rsaPss: options.rsaPss });
      const chain = splitCertificates(certificates).cas.filter((c) => !c.der.equals(certificate.der));
      return { signature, certificate, chain };
    } finally {
      session.close();
    }
  });
}

export async function signTransaction(options: SignOptions): Promise<SignResult> {
  const client = new SignerClient(options.server, options.timeoutMs);
  const code = await transactionCode(options);
  const transaction = await client.getTransaction(code);
  const profileKey: MessageKey = transaction.profile === 'id-card' ? 'profile_id_card' : 'profile_e_signature';
  options.say('transaction', { service: transaction.service, profile: message(options.lang, profileKey), code: displayCode(code) });
  // Before the card and the PIN: where and when the sign-in began, so a code someone else relayed looks wrong.
  if (transaction.startedAt !== undefined) options.say('transaction_origin', originParams(options.lang, transaction));

  let signed: Awaited<ReturnType<typeof signWithCard>>;
  try {
    signed = await signWithCard(options, transaction);
  } catch (err) {
    const error =
      err instanceof SignerError ? err : new SignerError('unexpected', { detail: err instanceof Error ? err.message : String(err) }, { reason: 'token_error' });
    // Only the card's own failures (and the person cancelling) are reported: a usage problem such as
    // a missing --cert is fixed by running the signer again with the same code.
    const reported = error.reason ? await client.postFailure(transaction, error.reason) : false;
    throw new JourneyError(error, reported);
  }

  options.say('sending');
  await client.postSignature(transaction, {
    algorithm: signed.signature.algorithm,
    signature: signed.signature.signature,
    certificate: signed.certificate.der,
    chain: signed.chain.map((c) => c.der),
  });
  return {
    transactionId: transaction.transactionId,
    algorithm: signed.signature.algorithm,
    holder: signed.certificate.holder,
    issuer: signed.certificate.issuer,
  };
}
