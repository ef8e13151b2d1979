import { randomUUID } from 'node:crypto';
import Router, { type RouterMiddleware } from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { isKapiError } from '../../errors.js';
import { log } from '../../log.js';
import { DOCUMENTS_BY_IDENTITY, REPRESENTATIVE_DOCUMENTS } from '../../registrar/documents.js';
import { CounterAttempt } from '../../registrar/idempotency.js';
import { isRefusal, RegistrarRefusal } from '../../registrar/refusal.js';
import type { RegistrarService } from '../../registrar/service.js';
import type { StaffContext } from '../../registrar/types.js';
import { documentName, refusalMessage } from '../../registrar/wording.js';
import { pickLocale, translate, type Locale, type MessageKey } from '../../i18n/index.js';
import { invalidRequest } from './invalid.js';
import { checkJson, recordJson } from './present.js';
import { counterRequestSchema, historyRequestSchema, issuanceRequestSchema, lookupRequestSchema, toCounterRequest } from './schemas.js';
import { REGISTRAR_API_PATH, TokenRefusal, type Registrar, type RegistrarTokenVerifier } from './token.js';

// The registrar API: JSON over HTTPS for the registrar console at PTT branches, Türksat offices and
// consulates. Every route needs a registrar's access token (token.ts). Errors are JSON
// `{ error, message }` with the message in the caller's language (Accept-Language or ?lang=).

export interface RegistrarApiDeps {
  service: RegistrarService;
  verifier: RegistrarTokenVerifier;
  clientIp: (ctx: Context) => string;
}

interface State {
  registrar: Registrar;
  locale: Locale;
  /** Issuances and cancellations: this request's attempt under its Idempotency-Key. */
  attempt?: CounterAttempt;
}

function localeOf(ctx: Context): Locale {
  const lang = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
  return pickLocale(lang, ctx.get('accept-language'));
}

function send(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  // Answers carry identity data and, once, a password: never cached anywhere.
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.body = body;
}

function fail(ctx: Context, status: number, error: string, message: string, extra: Record<string, unknown> = {}): void {
  send(ctx, status, { error, message, ...extra });
}

const TOKEN_STATUS: Record<TokenRefusal['problem'], number> = { missing: 401, invalid: 401, acr: 401, client: 403, scope: 403, not_registrar: 403 };
const TOKEN_MESSAGE = {
  missing: 'registrar.token.missing',
  invalid: 'registrar.token.invalid',
  acr: 'registrar.token.acr',
  client: 'registrar.token.client',
  scope: 'registrar.token.scope',
  not_registrar: 'registrar.refusal.not_registrar',
} as const satisfies Record<TokenRefusal['problem'], MessageKey>;

/** RFC 6750 §3 and RFC 9470 §3: what a Bearer client is told in WWW-Authenticate. */
function challenge(problem: TokenRefusal['problem'], realm: string): string {
  const base = `Bearer realm="${realm}"`;
  switch (problem) {
    case 'missing':
      return base;
    case 'invalid':
      return `${base}, error="invalid_token"`;
    case 'acr':
      return `${base}, error="insufficient_user_authentication", error_description="A sign-in at acr high is required", acr_values="high"`;
    case 'scope':
      return `${base}, error="insufficient_scope", scope="registrar"`;
    default:
      return `${base}, error="insufficient_scope"`;
  }
}

/** The body as the schema reads it, or the refusal that names the field and what is wrong with it. */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error, body);
  return parsed.data;
}

/**
 * The Idempotency-Key of an issuance or cancellation (IETF httpapi draft): a Structured Field string
 * (`"8e03978e-..."`); a bare token is taken as it is. Required: without it a double click issues twice.
 */
function attemptOf(ctx: Context): CounterAttempt {
  const raw = ctx.get('idempotency-key').trim();
  if (!raw) throw new RegistrarRefusal('idempotency_key_missing');
  if (!raw.startsWith('"')) return new CounterAttempt(raw);
  const quoted = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(raw);
  if (!quoted) throw new RegistrarRefusal('idempotency_key_invalid');
  return new CounterAttempt(quoted[1]!.replace(/\\(["\\])/g, '$1'));
}

/** A replayed answer says so (RFC-less but common: `Idempotent-Replayed`), and why there is no password. */
function replayed(ctx: Context, locale: Locale): Record<string, unknown> {
  ctx.set('Idempotent-Replayed', 'true');
  return { replayed: true, notice: translate(locale, 'registrar.replay.notice') };
}

export function registrarApiRouter(deps: RegistrarApiDeps): Router<State> {
  const router = new Router<State>({ prefix: REGISTRAR_API_PATH });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' });

  // Errors of this API are JSON, never the HTML error page of the hosted pages.
  router.use(async (ctx, next) => {
    const locale = localeOf(ctx);
    ctx.state.locale = locale;
    try {
      await next();
    } catch (err) {
      if (err instanceof TokenRefusal) {
        ctx.set('WWW-Authenticate', challenge(err.problem, 'kapi-registrar'));
        return fail(
          ctx,
          TOKEN_STATUS[err.problem],
          err.problem === 'not_registrar'
            ? 'not_registrar'
            : err.problem === 'invalid' || err.problem === 'missing'
              ? 'invalid_token'
              : err.problem === 'acr'
                ? 'insufficient_user_authentication'
                : 'insufficient_scope',
          translate(locale, TOKEN_MESSAGE[err.problem]),
        );
      }
      const refusal = err instanceof z.ZodError ? invalidRequest(err, undefined) : err;
      if (isRefusal(refusal)) {
        if (refusal.code === 'too_many_requests') ctx.set('Retry-After', String(refusal.params.retryAfter ?? 60));
        return fail(
          ctx,
          refusal.status,
          refusal.code,
          refusalMessage(locale, refusal),
          typeof refusal.params.field === 'string' ? { field: refusal.params.field } : {},
        );
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      // Body parser: oversized (413), not JSON (415), malformed JSON (400).
      if (typeof status === 'number' && status >= 400 && status < 500 && ((err as { expose?: boolean }).expose || err instanceof SyntaxError)) {
        return fail(ctx, status, 'invalid_request', translate(locale, 'registrar.refusal.invalid_request', { field: 'body' }));
      }
      if (isKapiError(err) && (err.code === 'upstream_unavailable' || err.code === 'storage_unavailable')) {
        log.warn({ err: { code: err.code, message: err.message } }, 'registrar API dependency unavailable');
        return fail(ctx, 503, 'temporarily_unavailable', translate(locale, 'registrar.unavailable'));
      }
      const reference = randomUUID();
      log.error({ err, reference, path: ctx.path }, 'registrar API request failed');
      return fail(ctx, 500, 'server_error', translate(locale, 'registrar.internal', { reference }), { reference });
    }
  });

  // Every route: a registrar's token first.
  router.use(async (ctx, next) => {
    ctx.state.registrar = await deps.verifier.verify(ctx.get('authorization') || undefined);
    await next();
  });

  // The office is the registrar's role's. A console that names one asserts it: another office is refused
  // by the role check (403 not_registrar), never served.
  const staffOf = (ctx: Context & { state: State }, office?: string): StaffContext => ({
    officeCode: office ?? ctx.state.registrar.officeCode,
    staffAccountId: ctx.state.registrar.accountId,
    via: 'api',
    ip: deps.clientIp(ctx),
  });

  const requireJson: RouterMiddleware<State> = async (ctx, next) => {
    if (!ctx.is('application/json'))
      return fail(ctx, 415, 'invalid_request', translate(ctx.state.locale, 'registrar.refusal.invalid_request', { field: 'content-type' }));
    await json(ctx, next);
  };

  router.get('/me', async (ctx) => {
    const { office, staffName } = await deps.service.authorize(staffOf(ctx));
    send(ctx, 200, { account_id: ctx.state.registrar.accountId, name: staffName, office: { code: office.code, name: office.name, kind: office.kind } });
  });

  router.get('/document-types', async (ctx) => {
    await deps.service.authorize(staffOf(ctx));
    const locale = ctx.state.locale;
    const named = (list: readonly string[]) => list.map((type) => ({ type, name: documentName(locale, type) }));
    send(ctx, 200, {
      person: Object.fromEntries(Object.entries(DOCUMENTS_BY_IDENTITY).map(([k, v]) => [k, named(v)])),
      representative: Object.fromEntries(Object.entries(REPRESENTATIVE_DOCUMENTS).map(([k, v]) => [k, named(v)])),
    });
  });

  // Issuances and cancellations: the key before the body is read, so that a request without one does nothing.
  const requireKey: RouterMiddleware<State> = async (ctx, next) => {
    ctx.state.attempt = attemptOf(ctx);
    await next();
  };

  router.post('/people/lookup', requireJson, async (ctx) => {
    const body = parse(lookupRequestSchema, ctx.request.body);
    send(ctx, 200, checkJson(await deps.service.check(staffOf(ctx, body.office), body.national_id), ctx.state.locale));
  });

  router.post('/issuances', requireJson, requireKey, async (ctx) => {
    const body = parse(issuanceRequestSchema, ctx.request.body);
    const issued = await deps.service.issue(staffOf(ctx, body.office), toCounterRequest(body), ctx.state.attempt!);
    const locale = ctx.state.locale;
    send(ctx, 201, {
      issuance: recordJson(issued.record, locale),
      person: { national_id: issued.person.nationalId, name: issued.person.name },
      // Shown once, for the sealed envelope. Kapı keeps only its argon2id hash; a replay has none.
      password: issued.password ?? null,
      must_change: true,
      account_created: issued.accountCreated,
      password_login_reopened: issued.passwordLoginReopened,
      second_factors_removed: issued.secondFactorsRemoved,
      receipt: issued.receipt(locale),
      ...(issued.replayed ? replayed(ctx, locale) : { replayed: false }),
    });
  });

  router.post('/cancellations', requireJson, requireKey, async (ctx) => {
    const body = parse(counterRequestSchema, ctx.request.body);
    const cancelled = await deps.service.cancel(staffOf(ctx, body.office), toCounterRequest(body), ctx.state.attempt!);
    const locale = ctx.state.locale;
    send(ctx, 201, {
      cancellation: recordJson(cancelled.record, locale),
      person: { national_id: cancelled.person.nationalId, name: cancelled.person.name },
      sessions_ended: cancelled.sessionsEnded,
      receipt: cancelled.receipt(locale),
      ...(cancelled.replayed ? replayed(ctx, locale) : { replayed: false }),
    });
  });

  router.post('/history', requireJson, async (ctx) => {
    const body = parse(historyRequestSchema, ctx.request.body ?? {});
    const staff = staffOf(ctx, body.office);
    const entries = await deps.service.history(staff, { nationalId: body.national_id, limit: body.limit });
    send(ctx, 200, { office: staff.officeCode, entries: entries.map((e) => recordJson(e, ctx.state.locale)) });
  });

  // Anything else under the prefix: a JSON 404 (after the token check: no probing without one).
  router.all('/{*rest}', async (ctx) => fail(ctx, 404, 'not_found', translate(ctx.state.locale, 'registrar.not_found')));

  return router;
}
