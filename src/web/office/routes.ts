import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { DOCUMENTS_BY_IDENTITY } from '../../registrar/documents.js';
import { formatLira } from '../../registrar/fees.js';
import { CounterAttempt } from '../../registrar/idempotency.js';
import { maskNationalId } from '../../registrar/receipt.js';
import { isRefusal, type RegistrarRefusal } from '../../registrar/refusal.js';
import type { PersonCheck } from '../../registrar/service.js';
import { documentName, documentRule, refusalMessage } from '../../registrar/wording.js';
import { CHANNEL_NAME, IDENTITY_NAME, KIND_NAME } from '../../registrar/messages.js';
import { randomToken, sha256 } from '../../security/crypto.js';
import { translate, type Locale, type MessageKey } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { currentSession } from '../account/session.js';
import { OFFICE_CLIENT_ID, OFFICE_PATH, officeRedirectUri, officeSignedOutUri } from './client.js';
import type { OfficeDeps } from './deps.js';
import { DOCUMENT_ROWS, formFieldOf, parseCounterForm, REPRESENTATIVE_DOCUMENT_CHOICES } from './form.js';
import { officeForm, requireClerk, requireClerkForm, safeOfficeNext, type Clerk } from './guard.js';
import { renderOfficePage, renderOfficeSignedOut } from './render.js';
import './messages.js';

// The registrar console (issue 23 point 1): the clerk at a post office counter looks a person up, sees
// the documents her identity type needs, issues a password in person, to a proxy or to a guardian,
// prints the receipt, cancels a password, and reads her office's books. Every rule is the registrar
// service's (src/registrar), the same the API and `kapi registrar` use; the console only reads forms
// into the API's request shape (form.ts) and shows answers. No identity number ever goes in a URL.

const LOGIN_COOKIE = 'kapi_office_login';
const KINDS = ['issuance', 'cancellation'] as const;

/** Each counter form's heading and button. */
const OPERATION_TEXT = {
  issue: { title: 'office.issue.title', submit: 'office.issue.submit' },
  cancel: { title: 'office.cancel.title', submit: 'office.cancel.submit' },
} as const satisfies Record<'issue' | 'cancel', { title: MessageKey; submit: MessageKey }>;

/** A refusal as a page shows it: the message in the clerk's language and the field to correct. */
interface ShownError {
  message: string;
  field?: string | undefined;
}

function shown(locale: Locale, refusal: RegistrarRefusal, rows: number[] = []): ShownError {
  // A form sent again with other details under its key: said in the console's words, not the API header's.
  const message = refusal.code === 'idempotency_key_reused' ? translate(locale, 'office.error.form_used') : refusalMessage(locale, refusal);
  return { message, field: formFieldOf(refusal, rows) };
}

/** 24-hour date and time at the counter, in Türkiye's time zone whatever the server's. */
export function counterTime(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul', dateStyle: 'short', timeStyle: 'short' }).format(at);
}

function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function personView(check: PersonCheck, locale: Locale) {
  return {
    nationalId: check.nationalId,
    name: check.name,
    identity: translate(locale, IDENTITY_NAME[check.identityType]),
    eligible: check.eligible,
    refusal: check.refusal ? refusalMessage(locale, check.refusal) : undefined,
    hasPassword: check.hasPassword,
    fee: formatLira(check.nextFeeKurus, locale),
    accepted: check.acceptedDocuments.map((type) => ({ type, name: documentName(locale, type) })),
    rule: documentRule(check.identityType, locale),
  };
}

export function officeRouter(deps: OfficeDeps): Router {
  const router = new Router({ prefix: OFFICE_PATH, sensitive: true });
  const issuer = deps.config.issuer;
  const cookieOptions = (ctx: Context) => ({ httpOnly: true, sameSite: 'lax' as const, signed: true, secure: ctx.secure, overwrite: true, path: OFFICE_PATH });

  // A refusal that is no form's (the lookup limits, a receipt of another office): a page saying it.
  router.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!isRefusal(err)) throw err;
      if (err.code === 'too_many_requests') ctx.set('Retry-After', String(err.params.retryAfter ?? 60));
      const locale = localeFor(ctx);
      // The clerk the gate let through (a refusal comes after it), for the shell.
      const clerk = (ctx.state as { officeClerk?: Clerk }).officeClerk;
      await renderOfficePage(
        ctx,
        clerk?.view,
        'refused',
        { id: 'refused', titleKey: 'office.error.title', data: { error: shown(locale, err) } },
        { status: err.status },
      );
    }
  });

  // -- signing in: Kapı's own login, through the console's first-party client (client.ts)

  router.get('/login', async (ctx) => {
    const state = randomToken(24);
    const verifier = randomToken(32);
    const next = safeOfficeNext(ctx.query.next);
    ctx.cookies.set(LOGIN_COOKIE, Buffer.from(JSON.stringify({ state: sha256(state), next })).toString('base64url'), {
      ...cookieOptions(ctx),
      maxAge: 30 * 60_000,
    });
    const params = new URLSearchParams({
      client_id: OFFICE_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: officeRedirectUri(issuer),
      state,
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: 'high',
      ui_locales: localeFor(ctx),
    });
    // The step-up: a fresh proof at `high`, whatever session this browser holds.
    if (ctx.query.again === '1') {
      params.set('prompt', 'login');
      params.set('max_age', '0');
    }
    ctx.redirect(`/auth?${params.toString()}`);
  });

  // The console relies on Kapı's session cookie, which the sign-in has just set; the state check makes
  // sure this browser started it. The code is not needed and expires unused.
  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(LOGIN_COOKIE, { signed: true });
    ctx.cookies.set(LOGIN_COOKIE, null, cookieOptions(ctx));
    let started: { state: string; next: string } | undefined;
    try {
      started = raw ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { state: string; next: string }) : undefined;
    } catch {
      started = undefined;
    }
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!started || sha256(state) !== started.state || typeof ctx.query.error === 'string') {
      const messageKey = started && typeof ctx.query.error === 'string' ? 'office.login_failed' : 'office.login_not_started';
      await renderOfficeSignedOut(ctx, messageKey, { status: 400 });
      return;
    }
    ctx.redirect(safeOfficeNext(started.next));
  });

  // Sign-out goes through oidc-provider's end_session (back-channel logout to this session's institutions).
  router.post('/logout', officeForm, async (ctx) => {
    if (await currentSession(ctx, deps)) {
      const form = await requireClerkForm(ctx, deps);
      if (!form) return;
    }
    const params = new URLSearchParams({ client_id: OFFICE_CLIENT_ID, post_logout_redirect_uri: officeSignedOutUri(issuer), ui_locales: localeFor(ctx) });
    ctx.redirect(`/session/end?${params.toString()}`);
  });

  router.get('/signed-out', async (ctx) => {
    await renderOfficeSignedOut(ctx, 'office.signed_out.body');
  });

  // -- looking a person up

  const lookupPage = (ctx: Context, clerk: Clerk, data: { error?: ShownError; value?: string } = {}, status = 200) =>
    renderOfficePage(ctx, clerk.view, 'lookup', { id: 'lookup', titleKey: 'office.lookup.title', data }, { status });

  router.get('/', async (ctx) => {
    const clerk = await requireClerk(ctx, deps);
    if (clerk) await lookupPage(ctx, clerk);
  });

  router.post('/lookup', officeForm, async (ctx) => {
    const form = await requireClerkForm(ctx, deps);
    if (!form) return;
    const locale = localeFor(ctx);
    const typed = (form.input.national_id ?? '').trim();
    let check: PersonCheck;
    try {
      // The checksum first (no registry lookup for a typo), then the registry: the service's order.
      check = await deps.service.check(form.clerk.staff, typed);
    } catch (err) {
      if (!isRefusal(err) || err.code === 'too_many_requests') throw err;
      return lookupPage(ctx, form.clerk, { error: { ...shown(locale, err), field: 'national_id' }, value: typed.slice(0, 32) }, err.status);
    }
    await renderOfficePage(ctx, form.clerk.view, 'person', { id: 'person', titleKey: 'office.person.title', data: { person: personView(check, locale) } });
  });

  // -- issuing and cancelling: a fresh `high` sign-in, one key per form shown (idempotency.ts)

  const counterForm = async (ctx: Context, clerk: Clerk, operation: 'issue' | 'cancel', input: Record<string, string>, error?: ShownError, status = 200) => {
    const locale = localeFor(ctx);
    const check = await deps.service.check(clerk.staff, input.national_id ?? '');
    const person = personView(check, locale);
    // The document rows offer what this identity type may show; the service checks them all the same.
    const values: Record<string, string> = { channel: 'self', ...input };
    await renderOfficePage(
      ctx,
      clerk.view,
      'counter-form',
      {
        id: operation,
        titleKey: OPERATION_TEXT[operation].title,
        data: {
          operation,
          operationText: OPERATION_TEXT[operation],
          channelName: CHANNEL_NAME,
          person,
          values,
          // A form shown anew gets a new key; shown again after a refusal it keeps its own (nothing was done under it).
          requestKey: /^[A-Za-z0-9_-]{16,64}$/.test(input.request_key ?? '') ? input.request_key : randomToken(24),
          documentRows: Array.from({ length: DOCUMENT_ROWS }, (_, i) => i),
          documentChoices: DOCUMENTS_BY_IDENTITY[check.identityType].map((type) => ({ type, name: documentName(locale, type) })),
          representativeChoices: REPRESENTATIVE_DOCUMENT_CHOICES.map((type) => ({ type, name: documentName(locale, type) })),
          error,
        },
      },
      { status },
    );
  };

  for (const operation of ['issue', 'cancel'] as const) {
    router.post(`/${operation}/form`, officeForm, async (ctx) => {
      const form = await requireClerkForm(ctx, deps, { change: true });
      if (!form) return;
      await counterForm(ctx, form.clerk, operation, { national_id: form.input.national_id ?? '' });
    });

    router.post(`/${operation}`, officeForm, async (ctx) => {
      const form = await requireClerkForm(ctx, deps, { change: true });
      if (!form) return;
      const locale = localeFor(ctx);
      let rows: number[] = [];
      try {
        const parsed = parseCounterForm(form.input, operation);
        rows = parsed.rows;
        const attempt = new CounterAttempt(form.input.request_key ?? '');
        if (operation === 'issue') {
          const issued = await deps.service.issue(form.clerk.staff, parsed.request, attempt);
          await renderOfficePage(
            ctx,
            form.clerk.view,
            'issued',
            {
              id: 'issued',
              titleKey: 'office.issued.title',
              data: {
                issued,
                fee: issued.record.feeKurus !== null ? formatLira(issued.record.feeKurus, locale) : '',
                receiptUrl: `${OFFICE_PATH}/receipts/issuance/${issued.record.id}`,
              },
            },
            { status: issued.replayed ? 200 : 201 },
          );
        } else {
          const cancelled = await deps.service.cancel(form.clerk.staff, parsed.request, attempt);
          await renderOfficePage(
            ctx,
            form.clerk.view,
            'cancelled',
            {
              id: 'cancelled',
              titleKey: 'office.cancelled.title',
              data: { cancelled, receiptUrl: `${OFFICE_PATH}/receipts/cancellation/${cancelled.record.id}` },
            },
            { status: cancelled.replayed ? 200 : 201 },
          );
        }
      } catch (err) {
        if (!isRefusal(err) || err.code === 'too_many_requests' || err.code === 'not_in_registry' || err.code === 'invalid_identity_number') throw err;
        await counterForm(ctx, form.clerk, operation, form.input, shown(locale, err, rows), err.status);
      }
    });
  }

  // -- the receipt, printable (the print stylesheet leaves the receipt alone on the page)

  router.get('/receipts/:kind/:id', async (ctx) => {
    const kind = ctx.params.kind as (typeof KINDS)[number];
    if (!KINDS.includes(kind)) return;
    const clerk = await requireClerk(ctx, deps);
    if (!clerk) return;
    const found = await deps.service.receiptOf(clerk.staff, kind, ctx.params.id ?? '');
    await renderOfficePage(ctx, clerk.view, 'receipt', { id: 'receipt', titleKey: 'office.receipt.title', data: { text: found.receipt(localeFor(ctx)) } });
  });

  // -- the office's books

  const historyPage = async (ctx: Context, clerk: Clerk, nationalId?: string) => {
    const locale = localeFor(ctx);
    let error: ShownError | undefined;
    let entries: Awaited<ReturnType<OfficeDeps['service']['history']>> = [];
    try {
      entries = await deps.service.history(clerk.staff, { nationalId, limit: 100 });
    } catch (err) {
      if (!isRefusal(err) || err.code !== 'invalid_identity_number') throw err;
      error = { ...shown(locale, err), field: 'national_id' };
    }
    const row = (e: (typeof entries)[number]) => ({
      id: e.id,
      kind: e.kind,
      operation: translate(locale, KIND_NAME[e.kind]),
      at: e.at.toISOString(),
      time: counterTime(e.at, locale),
      person: maskNationalId(e.nationalId),
      channel: translate(locale, CHANNEL_NAME[e.channel]),
      staff: e.staffName,
      fee: e.kind === 'issuance' && e.feeKurus !== null ? formatLira(e.feeKurus, locale) : '',
      receiptUrl: `${OFFICE_PATH}/receipts/${e.kind}/${e.id}`,
    });
    await renderOfficePage(
      ctx,
      clerk.view,
      'history',
      {
        id: 'history',
        titleKey: 'office.history.title',
        data: { entries: entries.map(row), error, filtered: nationalId !== undefined && !error, value: (nationalId ?? '').slice(0, 32) },
      },
      { status: error ? 400 : 200 },
    );
  };

  router.get('/history', async (ctx) => {
    const clerk = await requireClerk(ctx, deps);
    if (clerk) await historyPage(ctx, clerk);
  });

  router.post('/history', officeForm, async (ctx) => {
    const form = await requireClerkForm(ctx, deps);
    if (!form) return;
    const typed = (form.input.national_id ?? '').trim();
    await historyPage(ctx, form.clerk, typed || undefined);
  });

  // A form page's language link (and a reload of an address only a form reaches) lands at the start.
  router.get(['/lookup', '/issue', '/issue/form', '/cancel', '/cancel/form'], async (ctx) => {
    const lang = typeof ctx.query.lang === 'string' && /^(tr|en)$/.test(ctx.query.lang) ? `?lang=${ctx.query.lang}` : '';
    ctx.redirect(`${OFFICE_PATH}${lang}`);
  });

  return router;
}
