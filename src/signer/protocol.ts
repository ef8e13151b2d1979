import { SignerError, usageError, type FailureReason } from './errors.js';
import type { MessageKey } from './messages.js';

// The client side of docs/smart-card-protocol.md: fetch the transaction by its code, post the
// signature, or post why the card failed so the waiting browser page can say so.

export type Profile = 'e-signature' | 'id-card';
export const PROFILES: readonly Profile[] = ['e-signature', 'id-card'];

/** The alphabet of transaction codes (no 0/O, 1/I/L-lookalikes, 2/Z, 5/S, 6/G, 8/B). */
export const CODE_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';
const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{8}$`);

export interface Transaction {
  code: string;
  transactionId: string;
  profile: Profile;
  /** Exactly the bytes to sign, as the server sent them. */
  challenge: Buffer;
  expiresAt: string | undefined;
  service: string;
  /** When the sign-in began (epoch seconds, Kapı's clock), if Kapı said. */
  startedAt: number | undefined;
  /** Where the browser that began it is ('local' for a private network), if Kapı knows. */
  place: string | undefined;
}

export interface SignaturePost {
  algorithm: 'RS256' | 'PS256' | 'ES256' | 'ES384';
  signature: Buffer;
  certificate: Buffer;
  chain: Buffer[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The Kapı issuer URL, refused unless https: the challenge and the certificate travel over it, and a
 * signature posted in clear could be replayed. Plain http is allowed only to this computer
 * (development and tests).
 */
export function parseServerUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError('bad_server_url', { url: value });
  }
  if (url.username || url.password || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw usageError('bad_server_url', { url: value });
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) throw usageError('insecure_server', { url: value });
  url.search = '';
  url.hash = '';
  return url;
}

/** `abcd-efgh`, `ABCD EFGH`, `abcdefgh` → `ABCDEFGH`; anything else is refused before any request. */
export function normaliseCode(input: string): string {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (!CODE_PATTERN.test(code)) throw usageError('invalid_code');
  return code;
}

/** `ABCDEFGH` → `ABCD-EFGH`, the way the browser shows it. */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The issuer as Kapı writes it in `iss`: no trailing slash. */
export function issuerOf(server: URL): string {
  return server.href.replace(/\/+$/, '');
}

/** Every refusal the signer API answers (interactions/smart-card/signer-api.ts), each with its own message. */
const SERVER_ERRORS: Record<string, MessageKey> = {
  unknown_transaction: 'server_unknown_transaction',
  transaction_expired: 'server_transaction_expired',
  transaction_used: 'server_transaction_used',
  invalid_request: 'server_invalid_request',
  bad_signature: 'server_bad_signature',
  untrusted: 'server_untrusted',
  expired_certificate: 'server_expired_certificate',
  not_yet_valid: 'server_not_yet_valid',
  revoked: 'server_revoked',
  revocation_unknown: 'server_revocation_unknown',
  not_qualified: 'server_not_qualified',
  wrong_key_usage: 'server_wrong_key_usage',
  number_mismatch: 'server_number_mismatch',
  malformed: 'server_malformed',
};

/**
 * A wrong card or certificate is told per sign-in type (issue 20 point 6): which card and which of its
 * certificates this method needs, and the other method to pick when the card in the reader is the other kind.
 */
const PER_PROFILE: Partial<Record<string, Record<Profile, MessageKey>>> = {
  untrusted: { 'e-signature': 'server_untrusted_e_signature', 'id-card': 'server_untrusted_id_card' },
  wrong_key_usage: { 'e-signature': 'server_wrong_key_usage_e_signature', 'id-card': 'server_wrong_key_usage_id_card' },
};

/** A refusal from Kapı (`{ error, error_description }`) as the message to show; `profile` when the transaction is known. */
export function serverError(status: number, body: unknown, profile?: Profile): SignerError {
  const error = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : undefined;
  const description =
    typeof (body as { error_description?: unknown })?.error_description === 'string' ? (body as { error_description: string }).error_description : '';
  if (status === 429) return new SignerError('too_many_requests', {}, { code: error ?? 'too_many_requests' });
  if (!error) return new SignerError('bad_response', { status }, { code: 'bad_response' });
  const key = (profile && PER_PROFILE[error]?.[profile]) ?? SERVER_ERRORS[error] ?? 'server_other';
  return new SignerError(key, { error, description }, { code: error });
}

function sameIssuer(iss: string, server: URL): boolean {
  try {
    return issuerOf(new URL(iss)) === issuerOf(server);
  } catch {
    return false;
  }
}

/**
 * The challenge is signed exactly as sent, but only if it is what it claims to be: a Kapı login
 * challenge for this transaction from the server we are talking to. A qualified e-signature key makes
 * legally binding signatures; without this check a malicious or mistyped server could have the card
 * sign anything (a document hash, another site's login) behind a login screen.
 */
export function checkChallenge(challenge: Buffer, server: URL, transactionId: string, profile: Profile): void {
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(challenge.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SignerError('challenge_mismatch');
  }
  const ok =
    claims !== null &&
    typeof claims === 'object' &&
    claims.purpose === 'kapi-smart-card-login' &&
    typeof claims.iss === 'string' &&
    sameIssuer(claims.iss, server) &&
    claims.txn === transactionId &&
    claims.profile === profile;
  if (!ok) throw new SignerError('challenge_mismatch');
}

export class SignerClient {
  constructor(
    private readonly server: URL,
    private readonly timeoutMs = 20_000,
  ) {}

  private url(code: string, suffix = ''): string {
    const base = this.server.href.endsWith('/') ? this.server.href : `${this.server.href}/`;
    return new URL(`smart-card/v1/transactions/${encodeURIComponent(code)}${suffix}`, base).href;
  }

  private async request(url: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        // A redirect could take the signature somewhere the https check never saw.
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.transportError(err);
    }
    let body: unknown;
    try {
      const text = await response.text();
      body = text ? JSON.parse(text) : undefined;
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') throw this.transportError(err);
      body = undefined;
    }
    return { status: response.status, body };
  }

  private transportError(err: unknown): SignerError {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return new SignerError('timeout', { seconds: Math.round(this.timeoutMs / 1000) }, { code: 'timeout' });
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    return new SignerError(
      'network',
      { url: this.server.origin, detail: cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err) },
      { code: 'network' },
    );
  }

  async getTransaction(code: string): Promise<Transaction> {
    const { status, body } = await this.request(this.url(code), { method: 'GET' });
    if (status !== 200) throw serverError(status, body);
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.transaction_id !== 'string' || !b.transaction_id || typeof b.challenge !== 'string' || !/^[A-Za-z0-9_-]+$/.test(b.challenge)) {
      throw new SignerError('bad_response', { status }, { code: 'bad_response' });
    }
    if (typeof b.profile !== 'string' || !PROFILES.includes(b.profile as Profile)) {
      throw new SignerError('unsupported_profile', { profile: String(b.profile) }, { code: 'unsupported_profile' });
    }
    const profile = b.profile as Profile;
    const challenge = Buffer.from(b.challenge, 'base64url');
    checkChallenge(challenge, this.server, b.transaction_id, profile);
    return {
      code,
      transactionId: b.transaction_id,
      profile,
      challenge,
      expiresAt: typeof b.expires_at === 'string' || typeof b.expires_at === 'number' ? String(b.expires_at) : undefined,
      service: typeof b.service === 'string' && b.service ? b.service : new URL(this.server).host,
      startedAt: typeof b.started_at === 'number' && Number.isFinite(b.started_at) ? b.started_at : undefined,
      place: typeof b.place === 'string' && b.place ? b.place.slice(0, 200) : undefined,
    };
  }

  async postSignature(transaction: Transaction, post: SignaturePost): Promise<void> {
    const { status, body } = await this.request(this.url(transaction.code, '/signature'), {
      method: 'POST',
      body: {
        transaction_id: transaction.transactionId,
        algorithm: post.algorithm,
        signature: post.signature.toString('base64url'),
        certificate: post.certificate.toString('base64'),
        chain: post.chain.map((der) => der.toString('base64')),
      },
    });
    if (status !== 200 || (body as { status?: unknown })?.status !== 'accepted') throw serverError(status, body, transaction.profile);
  }

  /**
   * Tells Kapı why the card failed. Best effort: the person already sees the reason here, so a
   * failure to report it must not replace that message.
   */
  async postFailure(transaction: Transaction, reason: FailureReason): Promise<boolean> {
    try {
      const { status } = await this.request(this.url(transaction.code, '/failure'), {
        method: 'POST',
        body: { transaction_id: transaction.transactionId, reason },
      });
      return status === 200;
    } catch {
      return false;
    }
  }
}
