import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { z } from 'zod';
import type { StateStore } from '../../../adapters/storage/port.js';
import type { AccountStore, AuditTrail } from '../../../src/engine/ports.js';
import type { Notifier } from '../../../src/accounts/notifier.js';
import { atLeast, isAcr } from '../../../src/assurance/levels.js';
import { applyAnswer, type AnswerOutcome } from '../devices/answer.js';
import { parseQrPayload, viewOf, type Approvals } from '../devices/approvals.js';
import type { DeviceRegistry, RegisteredDevice } from '../devices/device-registry.js';
import type { DeviceProofs } from '../devices/proofs.js';
import type { Counter } from '../../../src/security/limiters.js';
import { translate } from '../../../src/i18n/index.js';
import { localeFor } from '../../../src/web/locale.js';
import { renderPage } from '../../../src/web/render.js';
import { log } from '../../../src/log.js';
import { DEVICE_APP_CLIENT_ID } from './client.js';
import { verifyDpopAccessToken } from '../../../src/oidc/dpop.js';
import { mayAddFactor } from '../../../src/assurance/factor-changes.js';
import type { TokenFacts } from '../../../src/sessions/token-revocations.js';
import { answerBody, registerBody, scanBody } from './schemas.js';
import { FACTOR_NOTIFICATION } from '../account/messages.js';

// The device API (/device/v1, docs/openapi/device.paths.json): what the mobile app (and `kapi-device`)
// calls. Registration is authenticated by the app's DPoP-bound access token; every other call by a
// proof signed with the device's own key (`Authorization: Device <JWS>`, interactions/second-factor/devices/proofs.ts).

export interface DeviceApiDeps {
  issuer: string;
  provider: () => Provider;
  state: StateStore;
  accounts: AccountStore;
  devices: DeviceRegistry;
  approvals: Approvals;
  proofs: DeviceProofs;
  audit: AuditTrail;
  notifier: Notifier;
  /** Requests per IP (every call can be a guess at something). */
  limiter: Counter;
  clientIp: (ctx: Context) => string;
  /** KAPI_CLOCK_TOLERANCE_SECONDS, for the `iat` of the app's DPoP proofs. */
  clockToleranceSeconds: number;
  /** The per-account and per-client "revoked before" times (src/sessions/token-revocations.ts). */
  revocations: { refuses(token: TokenFacts): Promise<boolean> };
  /** A new device is a new factor: the person's other sessions end (src/sessions/session-index.ts). */
  sessions: { endForAccount(accountId: string, options: { reason: string; except?: string }): Promise<number> };
  /** After a wrong number or a denial: the device step locks and the owner is warned (interactions/second-factor/devices/approval-alarm.ts). */
  onRefused?: (approvalId: string, locale: 'tr' | 'en') => Promise<void>;
}

const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_device_proof: 401,
  forbidden: 403,
  not_found: 404,
  already_answered: 409,
  key_in_use: 409,
  expired: 410,
  wrong_number: 422,
  too_many_requests: 429,
};

function fail(ctx: Context, error: keyof typeof STATUS, description: string): void {
  ctx.status = STATUS[error]!;
  ctx.set('Cache-Control', 'no-store');
  if (error === 'invalid_token') ctx.set('WWW-Authenticate', 'DPoP error="invalid_token", algs="ES256 PS256 RS256 EdDSA"');
  ctx.body = { error, error_description: description };
}

function parse<T extends z.ZodType>(ctx: Context, schema: T): z.infer<T> | undefined {
  const result = schema.safeParse((ctx.request as unknown as { body?: unknown }).body);
  if (result.success) return result.data;
  fail(ctx, 'invalid_request', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return undefined;
}

const ANSWER_ERRORS: Record<Exclude<AnswerOutcome, 'approved' | 'denied'>, [keyof typeof STATUS, string]> = {
  not_found: ['not_found', 'no such approval'],
  expired: ['expired', 'the approval has expired'],
  already_answered: ['already_answered', 'the approval was already answered'],
  wrong_number: ['wrong_number', 'the number does not match the one shown; the approval is closed'],
  not_yours: ['forbidden', 'the approval belongs to another account'],
  nonce_mismatch: ['forbidden', 'the answer was not signed for this approval'],
  not_scanned: ['forbidden', 'the approval was not scanned'],
};

export function deviceApiRouter(deps: DeviceApiDeps): Router {
  const router = new Router({ prefix: '/device' });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' });
  const htu = (ctx: Context) => `${deps.issuer}${ctx.path}`;

  router.use(async (ctx, next) => {
    const take = await deps.limiter.take(deps.clientIp(ctx)).catch(() => undefined);
    if (!take?.allowed) {
      ctx.set('Retry-After', '60');
      return fail(ctx, 'too_many_requests', 'too many requests from this address');
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  /** The device that signed this request, or an answer has been given. */
  async function device(ctx: Context): Promise<RegisteredDevice | undefined> {
    const m = /^Device ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(ctx.get('authorization'));
    if (!m) {
      fail(ctx, 'invalid_device_proof', 'Authorization: Device <JWS signed with the device key> is required');
      return undefined;
    }
    const found = await deps.proofs.request(m[1]!, ctx.method, htu(ctx));
    if (typeof found === 'string') {
      fail(ctx, 'invalid_device_proof', found === 'unknown_device' ? 'the device is not registered' : `the device proof is ${found.replace('_', ' ')}`);
      return undefined;
    }
    return found;
  }

  // Where the app's authorization response lands; the app reads the code from this URL (an app link).
  // A person who opened it in a browser gets a page in her language saying where to go.
  router.get('/app-callback', async (ctx) => {
    const locale = localeFor(ctx);
    await renderPage(ctx, '/src/web/views/app-callback', locale, { title: translate(locale, 'app_callback.title') });
  });

  router.post('/v1/devices', json, async (ctx) => {
    const token = await verifyDpopAccessToken(
      { authorization: ctx.get('authorization') || undefined, dpop: ctx.get('dpop') || undefined, htm: 'POST', htu: htu(ctx) },
      { provider: deps.provider(), state: deps.state, clientId: DEVICE_APP_CLIENT_ID, clockToleranceSeconds: deps.clockToleranceSeconds },
    );
    if (!token) return fail(ctx, 'invalid_token', 'a DPoP-bound access token of the e-Devlet app is required');
    // An opaque token outlives its grant's revocation in the store: the "revoked before" time stops it.
    if (await deps.revocations.refuses({ accountId: token.accountId, clientId: token.clientId, iat: token.iat }))
      return fail(ctx, 'invalid_token', 'the access token was revoked');
    const body = parse(ctx, registerBody);
    if (!body) return;
    const account = await deps.accounts.findById(token.accountId);
    if (!account) return fail(ctx, 'invalid_token', 'the account no longer exists');
    // A device is registered after a login with two-factor authentication on: its second stage (or a
    // strong method) stands behind the token, never a password alone.
    if (!account.twoFactorEnabled) return fail(ctx, 'forbidden', 'turn two-factor authentication on before registering a device');
    if (!isAcr(token.acr) || !atLeast(token.acr, 'substantial')) return fail(ctx, 'forbidden', 'the sign-in behind this token did not complete a second stage');
    // A device is a factor: added only after a fresh sign-in (five minutes), as it could be removed.
    if (!mayAddFactor({ acr: token.acr, authTime: token.authTime }))
      return fail(ctx, 'forbidden', 'sign in to the app again: a device is registered within five minutes of a sign-in');
    const proof = await deps.proofs.newKey(body.public_jwk, body.key_proof, 'POST', htu(ctx));
    if (proof !== true) return fail(ctx, 'invalid_device_proof', `the key proof is ${proof.replace('_', ' ')}`);
    const registered = await deps.devices.register(account.id, { name: body.name, publicJwk: body.public_jwk, pushToken: body.push_token });
    if (registered === 'key_in_use') return fail(ctx, 'key_in_use', 'this key is already registered');
    await deps.audit.event({
      type: 'device.registered',
      accountId: account.id,
      clientId: DEVICE_APP_CLIENT_ID,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { deviceId: registered.id, name: registered.name },
    });
    // A new factor: every other session of the person ends (one may be an intruder's), the app's own stays.
    await deps.sessions.endForAccount(account.id, { reason: 'factor_added', ...(token.sessionUid ? { except: token.sessionUid } : {}) });
    const when = new Date().toLocaleString('tr-TR', { timeZone: 'Europe/Istanbul' });
    await deps.notifier
      .notify(account, FACTOR_NOTIFICATION.device_registered, { name: registered.name, when }, localeFor(ctx))
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'device notification failed'));
    ctx.status = 201;
    ctx.body = { device_id: registered.id, name: registered.name, created_at: registered.createdAt.toISOString() };
  });

  router.get('/v1/devices/current', async (ctx) => {
    const d = await device(ctx);
    if (!d) return;
    ctx.body = { device_id: d.id, name: d.name, created_at: d.createdAt.toISOString(), last_used_at: d.lastUsedAt?.toISOString() ?? null };
  });

  router.delete('/v1/devices/current', async (ctx) => {
    const d = await device(ctx);
    if (!d) return;
    if (await deps.devices.delete(d.accountId, d.id)) {
      await deps.audit.event({
        type: 'device.deleted',
        accountId: d.accountId,
        clientId: DEVICE_APP_CLIENT_ID,
        actor: 'device',
        ip: deps.clientIp(ctx),
        detail: { deviceId: d.id, name: d.name },
      });
    }
    ctx.status = 204;
  });

  router.get('/v1/approvals', async (ctx) => {
    const d = await device(ctx);
    if (!d) return;
    const pending = await deps.approvals.pendingFor(d.accountId);
    ctx.body = { approvals: pending.map((a) => ({ ...viewOf(a), ...(a.via === 'qr' ? { scanned: true } : {}) })) };
  });

  router.post('/v1/approvals/:id/answer', json, async (ctx) => {
    const d = await device(ctx);
    if (!d) return;
    const body = parse(ctx, answerBody);
    if (!body) return;
    const answer = await deps.proofs.answer(d, body.answer);
    if (typeof answer === 'string') return fail(ctx, 'invalid_device_proof', `the answer is ${answer.replace('_', ' ')}`);
    if (answer.aid !== ctx.params.id) return fail(ctx, 'invalid_request', 'the answer is for another approval');
    const outcome = await applyAnswer(deps.approvals, d, answer);
    await deps.audit.event({
      type: `device.approval_${outcome}`,
      accountId: d.accountId,
      clientId: DEVICE_APP_CLIENT_ID,
      actor: 'device',
      ip: deps.clientIp(ctx),
      detail: { deviceId: d.id, approvalId: answer.aid },
    });
    if (outcome === 'wrong_number' || outcome === 'denied') await deps.onRefused?.(answer.aid, localeFor(ctx));
    if (outcome === 'approved' || outcome === 'denied') {
      await deps.devices.touch(d.id);
      ctx.body = { status: outcome };
      return;
    }
    const [error, description] = ANSWER_ERRORS[outcome];
    fail(ctx, error, description);
  });

  router.post('/v1/scan', json, async (ctx) => {
    const d = await device(ctx);
    if (!d) return;
    const body = parse(ctx, scanBody);
    if (!body) return;
    const qr = parseQrPayload(body.payload);
    const found = qr ? await deps.approvals.find(qr.approvalId) : undefined;
    // A payload from another person's login, a stale page or a made-up one: the same refusal.
    if (!qr || !found || found.approval.accountId !== d.accountId || !deps.approvals.qrMatches(found.approval, qr.secret)) {
      await deps.audit.event({
        type: 'device.scan_refused',
        accountId: d.accountId,
        clientId: DEVICE_APP_CLIENT_ID,
        actor: 'device',
        ip: deps.clientIp(ctx),
        detail: { deviceId: d.id },
      });
      return fail(ctx, 'forbidden', 'this QR code does not belong to a sign-in of your account');
    }
    const { approval } = found;
    if (approval.status !== 'pending') return fail(ctx, 'already_answered', 'the approval was already answered');
    if (Math.floor(Date.now() / 1000) > approval.exp) return fail(ctx, 'expired', 'the approval has expired');
    if (approval.via !== 'qr' && !(await deps.approvals.update(found, { ...approval, via: 'qr' })))
      return fail(ctx, 'already_answered', 'the approval changed meanwhile');
    ctx.body = { approval: { ...viewOf(approval), scanned: true } };
  });

  return router;
}
