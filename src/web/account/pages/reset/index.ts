import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account } from '../../../../accounts/account.js';
import { OneTimeCodes } from '../../../../accounts/one-time-codes.js';
import { VIOLATION_MESSAGE } from '../../../../accounts/password-messages.js';
import { checkPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordRuleViolation } from '../../../../accounts/password-rules.js';
import { passwordReuse } from '../../../../accounts/password-reuse.js';
import { looksForeign, validateNationalId } from '../../../../identity/national-id.js';
import { log } from '../../../../log.js';
import { constantTimeEqual, deriveKey } from '../../../../security/crypto.js';
import { assertCsrf } from '../../../../security/csrf.js';
import { translate, type MessageKey } from '../../../../i18n/index.js';
import { localeFor } from '../../../locale.js';
import type { AccountDeps } from '../../deps.js';
import { formFields } from '../../../form-fields.js';
import { accountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import { normalizeEmail, normalizePhone } from '../contacts/normalize.js';
import { deviceCookies, deviceOf } from '../../../device-cookie.js';
import { AttemptLimit, ipSubject, ownAllowance, type PasswordGuesses } from '../password/limits.js';
import { saveNewPassword } from '../password/save.js';
import { ageToday, isBirthdate, ResetFlows, type ResetFlow } from './flow.js';
import './messages.js';

const VIEWS = '/src/web/account/pages/reset/views';
const MINIMUM_AGE = 15;

interface FormError {
  field?: string;
  code: MessageKey;
  params?: Record<string, string | number>;
}

/**
 * "Forgot my password" (public, no session). Only citizens aged 15 or more and blue card holders
 * (FAQ: "foreign users cannot benefit from the password renewal service"). The person proves the
 * identity number with the birth date and the serial of the identity document (checked against the
 * registry), names the verified contacts, and types the codes sent to them; then sets a new password.
 *
 * The flow never tells whether a number exists or has an account: every well-formed request gets the
 * same "codes sent" page and a code form; when anything does not match (unknown number, wrong details,
 * unverified or different contacts) no code is sent and no code can succeed. The only early refusals
 * depend on what the person typed, not on what Kapı knows: a foreign (99…) number, an age under 15.
 */
/** The start form's fields, in order, each with its label and hint. */
const START_FIELDS = [
  { name: 'national_id', type: 'text', auto: 'username', extra: ' inputmode="numeric" maxlength="11"', label: 'reset.national_id' },
  { name: 'birthdate', type: 'text', auto: 'bday', extra: ' maxlength="10" placeholder="YYYY-MM-DD"', label: 'reset.birthdate', hint: 'reset.birthdate_hint' },
  { name: 'document_serial', type: 'text', auto: 'off', extra: ' maxlength="12"', label: 'reset.document_serial', hint: 'reset.document_serial_hint' },
  { name: 'phone', type: 'tel', auto: 'tel', extra: ' maxlength="20"', label: 'reset.phone' },
  { name: 'email', type: 'email', auto: 'email', extra: ' maxlength="254"', label: 'reset.email', hint: 'reset.email_hint' },
] as const satisfies readonly { name: string; type: string; auto: string; extra: string; label: MessageKey; hint?: MessageKey }[];

/** The label of each channel's code field. */
const CODE_LABEL = { sms: 'reset.sms_code', email: 'reset.email_code' } as const satisfies Record<string, MessageKey>;

/** Why the service cannot renew this person's password. */
const REFUSED_MESSAGE = { foreigner: 'reset.refused.foreigner', under_15: 'reset.refused.under_15' } as const satisfies Record<string, MessageKey>;

export function resetPages(router: Router, deps: AccountDeps): void {
  const flows = new ResetFlows(deps);
  const codes = new OneTimeCodes(deps.services.state, deriveKey(deps.config.masterKey, 'reset-codes'), { ttlSeconds: 180, maxAttempts: 5 });
  // Starts per identity number (as typed: known or not) and per IP; each start sends at most one SMS.
  const perNumber = new AttemptLimit(deps, 'reset-number', 5, 3600);
  const perIp = new AttemptLimit(deps, 'reset-ip', 30, 3600);

  const page = async (ctx: Context, view: string, titleKey: MessageKey, data: Record<string, unknown>, status = 200) => {
    await renderAccountPage(ctx, undefined, `${VIEWS}/${view}`, { id: 'reset', titleKey, data }, { status });
  };

  const startPage = async (ctx: Context, id: string, extra: { error?: FormError; values?: Record<string, string> } = {}, status = 200) =>
    page(ctx, 'start', 'reset.title', { resetCsrf: flows.csrf(id), fields: START_FIELDS, values: extra.values ?? {}, error: extra.error }, status);

  const refused = async (ctx: Context, reason: 'foreigner' | 'under_15') =>
    page(ctx, 'refused', 'reset.title', { reason, messageKey: REFUSED_MESSAGE[reason] }, 403);

  /** The flow of this browser, with its CSRF token checked (posted forms). */
  const postedFlow = (ctx: Context): { id: string; input: Record<string, string> } | undefined => {
    const id = flows.existingId(ctx);
    if (!id) return undefined;
    return { id, input: formFields(ctx, (fields) => assertCsrf(flows.csrf(id), fields)) };
  };

  const expired = async (ctx: Context) => {
    const id = flows.id(ctx, true);
    await startPage(ctx, id, { error: { code: 'reset.error.expired' } }, 400);
  };

  router.get('/reset', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    await startPage(ctx, flows.id(ctx));
  });

  router.post('/reset', accountForm, async (ctx) => {
    const posted = postedFlow(ctx);
    if (!posted) return expired(ctx);
    const { input } = posted;
    const values = {
      national_id: (input.national_id ?? '').slice(0, 32),
      birthdate: (input.birthdate ?? '').trim().slice(0, 10),
      document_serial: (input.document_serial ?? '').trim().toUpperCase().slice(0, 16),
      phone: (input.phone ?? '').slice(0, 32),
      email: (input.email ?? '').trim().slice(0, 254),
    };
    const again = (error: FormError, status = 400) => startPage(ctx, posted.id, { error, values }, status);

    const nid = validateNationalId(values.national_id);
    if (!nid.ok) return again({ field: 'national_id', code: 'reset.error.national_id' });
    // The number's own shape says "foreigner" (99…): refusing says nothing about who holds it.
    if (looksForeign(nid.number)) return refused(ctx, 'foreigner');
    if (!isBirthdate(values.birthdate)) return again({ field: 'birthdate', code: 'reset.error.birthdate' });
    if (ageToday(values.birthdate) < MINIMUM_AGE) return refused(ctx, 'under_15');
    if (!/^[A-Z0-9]{6,12}$/.test(values.document_serial)) return again({ field: 'document_serial', code: 'reset.error.document_serial' });
    const phone = normalizePhone(values.phone);
    if (!phone) return again({ field: 'phone', code: 'reset.error.phone' });
    const email = values.email ? normalizeEmail(values.email) : undefined;
    if (values.email && !email) return again({ field: 'email', code: 'reset.error.email' });

    const ip = deps.clientIp(ctx);
    // A browser that signed in as this person before has its own allowance (device cookie): strangers
    // who spend the number's (or the address's) starts cannot keep her from renewing her password.
    const device = deviceOf(ctx, deviceCookies(deps.config), nid.number);
    const wait = device
      ? await perNumber.consume(ownAllowance(`nid:${nid.number}`, device))
      : Math.max(await perIp.consume(ipSubject(ip)), await perNumber.consume(`nid:${nid.number}`));
    if (wait) return again({ code: 'reset.error.too_many', params: { minutes: Math.ceil(wait / 60) } }, 429);

    // The same lookups whatever the number; `match` is the account only when everything fits.
    const person = await deps.services.registry.lookup(nid.number);
    const account = await deps.services.accounts.findByNationalId(nid.number);
    const detailsMatch = Boolean(
      person &&
        person.alive &&
        person.documentSerial &&
        constantTimeEqual(person.birthdate, values.birthdate) &&
        constantTimeEqual(person.documentSerial, values.document_serial),
    );
    if (detailsMatch && person!.type === 'foreigner') return refused(ctx, 'foreigner');
    const match = detailsMatch && account && contactsMatch(account, phone, email) ? account : undefined;

    const channels = email ? ['sms', 'email'] : ['sms'];
    const id = flows.id(ctx, true); // a new attempt id at each start: no fixation of an earlier one
    const issued = await codes.issue(flows.codeScope(id), channels);
    const sentTo = match ? flows.sentTo(match, channels) : undefined;
    await flows.save(id, { stage: 'codes', accountId: match?.id ?? null, channels, ...(sentTo ? { sentTo } : {}) });
    if (match) {
      // Sent without waiting: a gateway's latency must not tell a matching request from a decoy.
      void sendCodes(ctx, match, issued).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reset codes could not be sent'));
      await deps.services.audit.event({ type: 'account.password_reset_started', accountId: match.id, actor: 'self', ip, detail: { channels } });
    } else {
      await deps.services.audit.event({ type: 'password_reset.unmatched', actor: 'anonymous', ip, detail: { channels } });
    }
    ctx.status = 303;
    ctx.redirect('/account/reset/code');
  });

  const sendCodes = async (ctx: Context, account: Account, issued: Record<string, string>) => {
    const locale = localeFor(ctx);
    const minutes = Math.round(codes.ttlSeconds / 60);
    const sends: Promise<void>[] = [];
    if (issued.sms && account.phone)
      sends.push(
        deps.ports.sms.send({ to: account.phone, text: translate(locale, 'reset.code.sms', { code: issued.sms, minutes }), purpose: 'password_reset' }),
      );
    if (issued.email && account.email)
      sends.push(
        deps.ports.mail.send({
          to: account.email,
          subject: translate(locale, 'reset.code.subject'),
          text: translate(locale, 'reset.code.mail', { code: issued.email, minutes }),
          purpose: 'password_reset',
        }),
      );
    await Promise.all(sends);
  };

  const codePage = async (ctx: Context, id: string, flow: ResetFlow, error?: FormError, status = 200) =>
    page(
      ctx,
      'code',
      'reset.code_title',
      { resetCsrf: flows.csrf(id), channels: flow.channels, codeLabel: CODE_LABEL, minutes: Math.round(codes.ttlSeconds / 60), error },
      status,
    );

  router.get('/reset/code', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const id = flows.existingId(ctx);
    const flow = id ? await flows.get(id) : undefined;
    if (!id || !flow || flow.stage !== 'codes') return expired(ctx);
    await codePage(ctx, id, flow);
  });

  router.post('/reset/code', accountForm, async (ctx) => {
    const posted = postedFlow(ctx);
    const flow = posted ? await flows.get(posted.id) : undefined;
    if (!posted || !flow || flow.stage !== 'codes') return expired(ctx);
    const answers: Record<string, string> = {};
    for (const channel of flow.channels) answers[channel] = (posted.input[`${channel}_code`] ?? '').replace(/\s+/g, '');
    const badFormat = flow.channels.find((c) => !/^[0-9]{6}$/.test(answers[c] ?? ''));
    if (badFormat) return codePage(ctx, posted.id, flow, { field: `${badFormat}_code`, code: 'reset.error.code_format' }, 400);
    const result = await codes.verify(flows.codeScope(posted.id), answers);
    if (result === 'too_many') {
      await flows.end(ctx, posted.id);
      if (flow.accountId)
        await deps.services.audit.event({
          type: 'account.password_reset_refused',
          accountId: flow.accountId,
          actor: 'self',
          ip: deps.clientIp(ctx),
          detail: { reason: 'too_many_codes' },
        });
      const id = flows.id(ctx, true);
      return startPage(ctx, id, { error: { code: 'reset.error.code_too_many' } }, 429);
    }
    // A decoy flow can never pass, even with a lucky guess of its unsent codes.
    if (result !== 'ok' || !flow.accountId) return codePage(ctx, posted.id, flow, { field: `${flow.channels[0]}_code`, code: 'reset.error.code_wrong' }, 400);
    // A right code for a contact the person has since removed or replaced proves nothing any more.
    if (!(await contactsStand(ctx, posted.id, flow))) return;
    if (!(await flows.advance(posted.id, flow, { ...flow, stage: 'password' }))) return expired(ctx);
    ctx.status = 303;
    ctx.redirect('/account/reset/password');
  });

  const passwordPage = async (
    ctx: Context,
    id: string,
    account: Account,
    extra: { error?: FormError; violations?: PasswordRuleViolation[] } = {},
    status = 200,
  ) =>
    page(
      ctx,
      'password',
      'reset.password_title',
      {
        resetCsrf: flows.csrf(id),
        nationalId: account.nationalId,
        minLength: PASSWORD_MIN_LENGTH,
        maxLength: PASSWORD_MAX_LENGTH,
        ...extra,
        violations: extra.violations?.map((v) => VIOLATION_MESSAGE[v]),
      },
      status,
    );

  /**
   * The codes were sent to contacts that must still be the account's verified ones, up to the moment
   * the password is saved: a contact removed or changed in between (the owner noticed a lost phone)
   * ends the attempt with a clear message. Only a person who had the codes ever reaches this check.
   */
  const contactsStand = async (ctx: Context, id: string, flow: ResetFlow, known?: Account): Promise<boolean> => {
    const account = known ?? (flow.accountId ? await deps.services.accounts.findById(flow.accountId) : undefined);
    if (account && flows.stillSentTo(flow, account)) return true;
    await flows.end(ctx, id);
    if (flow.accountId)
      await deps.services.audit.event({
        type: 'account.password_reset_refused',
        accountId: flow.accountId,
        actor: 'self',
        ip: deps.clientIp(ctx),
        detail: { reason: 'contact_changed', stage: flow.stage },
      });
    await startPage(ctx, flows.id(ctx, true), { error: { code: 'reset.error.contact_changed' } }, 400);
    return false;
  };

  router.get('/reset/password', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const id = flows.existingId(ctx);
    const flow = id ? await flows.get(id) : undefined;
    const account = flow?.stage === 'password' && flow.accountId ? await deps.services.accounts.findById(flow.accountId) : undefined;
    if (!id || !flow || !account) return expired(ctx);
    if (!(await contactsStand(ctx, id, flow, account))) return;
    await passwordPage(ctx, id, account);
  });

  router.post('/reset/password', accountForm, async (ctx) => {
    const posted = postedFlow(ctx);
    const flow = posted ? await flows.get(posted.id) : undefined;
    const account = flow?.stage === 'password' && flow.accountId ? await deps.services.accounts.findById(flow.accountId) : undefined;
    if (!posted || !flow || !account) return expired(ctx);
    if (!(await contactsStand(ctx, posted.id, flow, account))) return;
    const next = posted.input.new_password ?? '';
    const violations = checkPassword(next, {
      nationalId: account.nationalId,
      birthdate: account.birthdate ?? undefined,
      givenName: account.givenName,
      familyName: account.familyName,
    });
    if (violations.length) return passwordPage(ctx, posted.id, account, { error: { field: 'new_password', code: 'pwchange.error.rules' }, violations }, 400);
    if (next !== (posted.input.new_password_confirm ?? ''))
      return passwordPage(ctx, posted.id, account, { error: { field: 'new_password_confirm', code: 'pwchange.error.mismatch' } }, 400);
    // "Forgot my password" with the password remembered after all: said as it is, as on the change page.
    const reuse = await passwordReuse(deps.services.hasher, await deps.services.accounts.findPassword(account.id), next);
    if (reuse) return passwordPage(ctx, posted.id, account, { error: { field: 'new_password', code: VIOLATION_MESSAGE[reuse] }, violations: [reuse] }, 400);
    const hash = await deps.services.hasher.hash(next);
    // Single use: of two concurrent submits only the one that ends the attempt sets the password.
    if (!(await flows.end(ctx, posted.id))) return expired(ctx);
    await saveNewPassword(ctx, deps, {
      accountId: account.id,
      hash,
      origin: 'reset',
      event: 'account.password_reset',
      detail: { channels: flow.channels },
      // Whoever knew the old password may have used it to sign in with a second factor, or to get tokens
      // an institution keeps (offline_access): every session and every token of the person ends,
      // whatever method started it (DESIGN.md, third round, "Endings").
      endSessions: { reason: 'password_reset', revokeTokens: true },
    });
    await perNumber.reset(`nid:${account.nationalId}`);
    const device = deviceOf(ctx, deviceCookies(deps.config), account.nationalId);
    if (device) await perNumber.reset(ownAllowance(`nid:${account.nationalId}`, device));
    // The owner proved herself: strangers' run of wrong passwords against her number ends.
    await (deps.ports.passwordGuesses as PasswordGuesses | undefined)?.ownerSignedIn(account.nationalId);
    ctx.status = 303;
    ctx.redirect(account.passwordLoginEnabled ? '/account/reset/done' : '/account/reset/done?closed=1');
  });

  router.get('/reset/done', async (ctx) => {
    await page(ctx, 'done', 'reset.done_title', { closed: ctx.query.closed === '1' });
  });
}

/**
 * The typed contacts must be the account's verified ones, and the person's chosen method decides
 * whether the e-mail is needed too. A typed e-mail must match even when the method is phone only.
 */
function contactsMatch(account: Account, phone: string, email: string | undefined): boolean {
  if (!account.phone || !account.phoneVerified || !constantTimeEqual(account.phone, phone)) return false;
  const emailOk = Boolean(email && account.email && account.emailVerified && constantTimeEqual(account.email.toLowerCase(), email.toLowerCase()));
  if ((account.passwordResetMethod ?? 'phone') === 'phone_and_email' && !emailOk) return false;
  if (email && !emailOk) return false;
  return true;
}
