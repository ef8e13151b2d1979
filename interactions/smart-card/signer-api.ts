import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import type { CertificateValidator, TrustProfile } from '../../adapters/pki/port.js';
import { verifySignature } from '../../adapters/pki/signature.js';
import { log } from '../../src/log.js';
import { hmac } from '../../src/security/crypto.js';
import type { Counter } from '../../src/security/limiters.js';
import {
  isWellFormedCode,
  normaliseCode,
  type SignerRefusal,
  type SmartCardFailure,
  type SmartCardProfile,
  type SmartCardTransaction,
  type SmartCardTransactions,
} from './transactions.js';

// The signer's side of docs/smart-card-protocol.md. The signer's post is verified here and its outcome
// written to the transaction record; the waiting browser merges it into its flow on its next request.

const signatureBody = z.object({
  transaction_id: z.string().min(1).max(100),
  algorithm: z.enum(['RS256', 'PS256', 'ES256', 'ES384']),
  signature: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .max(2048),
  certificate: z
    .string()
    .regex(/^[A-Za-z0-9+/=]+$/)
    .max(16_384),
  chain: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z0-9+/=]+$/)
        .max(16_384),
    )
    .max(5)
    .default([]),
});

const failureBody = z.object({
  transaction_id: z.string().min(1).max(100),
  reason: z.enum(['pin_incorrect', 'pin_locked', 'cancelled', 'no_certificate', 'token_error'] as const satisfies readonly SignerRefusal[]),
});

/** Every error this API answers, with the description it sends (kapi-signer has a message for each). */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  invalid_request: 'the request is malformed',
  unknown_transaction: 'no transaction has this code',
  transaction_expired: 'the transaction has expired; start again in the browser',
  transaction_used: 'this transaction was already answered',
  bad_signature: 'the signature does not verify over the challenge with the certificate key',
  untrusted: 'the certificate does not chain to a trusted certificate provider',
  expired_certificate: 'the certificate has expired',
  not_yet_valid: 'the certificate is not valid yet',
  revoked: 'the certificate has been revoked',
  revocation_unknown: 'the revocation status of the certificate could not be checked',
  not_qualified: 'the certificate is not a qualified electronic signature certificate',
  wrong_key_usage: 'the certificate is not meant for this use (authentication or signing)',
  number_mismatch: 'the certificate belongs to another identity number',
  malformed: 'the certificate cannot be read',
  too_many_requests: 'too many requests; wait a minute',
};

function reply(ctx: Context, status: number, error?: string): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = error ? { error, error_description: DESCRIPTIONS[error] ?? error } : { status: status === 200 ? 'accepted' : 'recorded' };
}

export interface SignerApiDeps {
  transactions: SmartCardTransactions;
  validator: CertificateValidator;
  trust: Record<SmartCardProfile, TrustProfile>;
  limiter: Counter;
  clientIp: (ctx: Context) => string;
  /** Key of the identity-number hash in refusal logs (the same as in failed sign-in records). */
  subjectKey: Buffer;
}

export function signerApiRouter(deps: SignerApiDeps): Router {
  const router = new Router({ prefix: '/smart-card/v1/transactions' });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' });

  // Every call costs a point per IP: codes cannot be guessed at any useful rate.
  router.use(async (ctx, next) => {
    // A store that fails throws storage_unavailable: a 503, not a silent pass.
    const take = await deps.limiter.take(deps.clientIp(ctx));
    if (!take.allowed) {
      ctx.set('Retry-After', String(take.retryAfterSeconds));
      return reply(ctx, 429, 'too_many_requests');
    }
    return next();
  });

  /**
   * Every refusal of a sign-in attempt is logged with its reason (as mobile signature's are), and of the
   * person only a keyed hash of the identity number: never the number, the certificate's names or
   * serial, the address. `source` says who refused: Kapı's checks, or the card as the signer reported.
   */
  function refused(tx: SmartCardTransaction, reason: string, source: 'server' | 'signer', detail?: string): void {
    const fields = { method: tx.profile, reason, source, subjectHash: hmac(deps.subjectKey, tx.nationalId), ...(detail ? { detail } : {}) };
    if (source === 'signer') log.info(fields, 'smart-card sign-in refused');
    else log.warn(fields, 'smart-card sign-in refused');
  }

  async function load(ctx: Context): Promise<{ tx: SmartCardTransaction; raw: string } | undefined> {
    const code = normaliseCode(String(ctx.params.code ?? ''));
    if (!isWellFormedCode(code)) return void reply(ctx, 404, 'unknown_transaction');
    const found = await deps.transactions.find(code);
    if (!found) return void reply(ctx, 404, 'unknown_transaction');
    if (Math.floor(Date.now() / 1000) > found.tx.exp) {
      refused(found.tx, 'transaction_expired', 'server');
      return void reply(ctx, 410, 'transaction_expired');
    }
    if (found.tx.status !== 'pending') {
      refused(found.tx, 'transaction_used', 'server');
      return void reply(ctx, 409, 'transaction_used');
    }
    return found;
  }

  router.get('/:code', async (ctx) => {
    const found = await load(ctx);
    if (!found) return;
    const { tx } = found;
    ctx.set('Cache-Control', 'no-store');
    // Where and when the sign-in began, and for whom: the signer shows it before the PIN, so a code
    // relayed by someone else (a sign-in started elsewhere) looks wrong to the card's holder.
    ctx.body = {
      transaction_id: tx.id,
      profile: tx.profile,
      challenge: tx.challenge,
      expires_at: tx.exp,
      service: tx.clientName,
      started_at: tx.iat,
      ...(tx.place ? { place: tx.place } : {}),
    };
  });

  router.post('/:code/signature', json, async (ctx) => {
    const parsed = signatureBody.safeParse((ctx.request as unknown as { body?: unknown }).body);
    if (!parsed.success) return reply(ctx, 400, 'invalid_request');
    const found = await load(ctx);
    if (!found) return;
    const { tx } = found;
    if (parsed.data.transaction_id !== tx.id) {
      refused(tx, 'invalid_request', 'server', 'transaction_id does not match the code');
      return reply(ctx, 400, 'invalid_request');
    }
    // Claim the transaction before the (slow) checks: a second post, even a concurrent one, is refused.
    const claimed: SmartCardTransaction = { ...tx, status: 'verifying' };
    if (!(await deps.transactions.update(found, claimed))) {
      refused(tx, 'transaction_used', 'server');
      return reply(ctx, 409, 'transaction_used');
    }
    const claimedRaw = { tx: claimed, raw: JSON.stringify(claimed) };

    const outcome = await verify(tx, parsed.data).catch((err: unknown) => {
      log.error({ err }, 'smart-card verification failed');
      return { error: 'revocation_unknown' as const };
    });
    if ('error' in outcome) {
      refused(tx, outcome.error, 'server', 'detail' in outcome ? outcome.detail : undefined);
      await deps.transactions.update(claimedRaw, { ...claimed, status: 'failed', reason: outcome.error });
      return reply(ctx, outcome.error === 'bad_signature' || outcome.error === 'malformed' ? 400 : 403, outcome.error);
    }
    await deps.transactions.update(claimedRaw, { ...claimed, status: 'accepted', certificate: outcome.certificate });
    return reply(ctx, 200);
  });

  router.post('/:code/failure', json, async (ctx) => {
    const parsed = failureBody.safeParse((ctx.request as unknown as { body?: unknown }).body);
    if (!parsed.success) return reply(ctx, 400, 'invalid_request');
    const found = await load(ctx);
    if (!found) return;
    if (parsed.data.transaction_id !== found.tx.id) {
      refused(found.tx, 'invalid_request', 'server', 'transaction_id does not match the code');
      return reply(ctx, 400, 'invalid_request');
    }
    if (!(await deps.transactions.update(found, { ...found.tx, status: 'failed', reason: parsed.data.reason }))) {
      refused(found.tx, 'transaction_used', 'server');
      return reply(ctx, 409, 'transaction_used');
    }
    refused(found.tx, parsed.data.reason, 'signer');
    return reply(ctx, 202);
  });

  async function verify(
    tx: SmartCardTransaction,
    body: z.output<typeof signatureBody>,
  ): Promise<{ error: SmartCardFailure; detail?: string | undefined } | { certificate: NonNullable<SmartCardTransaction['certificate']> }> {
    const leaf = new Uint8Array(Buffer.from(body.certificate, 'base64'));
    const chain = body.chain.map((c) => new Uint8Array(Buffer.from(c, 'base64')));
    const challenge = new Uint8Array(Buffer.from(tx.challenge, 'base64url'));
    const signature = new Uint8Array(Buffer.from(body.signature, 'base64url'));
    if (!(await verifySignature(leaf, body.algorithm, challenge, signature))) return { error: 'bad_signature' };
    const verdict = await deps.validator.validate(leaf, chain, deps.trust[tx.profile]);
    if (!verdict.ok) return { error: verdict.reason, detail: verdict.detail };
    // Never trust the typed number over the certificate's.
    if (verdict.nationalId !== tx.nationalId) return { error: 'number_mismatch' };
    return { certificate: { fingerprint: verdict.fingerprint, holder: verdict.holderName, issuer: verdict.issuer, serialNumber: verdict.serialNumber } };
  }

  return router;
}
