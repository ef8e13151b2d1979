import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account } from '../../../../accounts/account.js';
import { OneTimeCodes } from '../../../../accounts/one-time-codes.js';
import { KapiError } from '../../../../errors.js';
import { log } from '../../../../log.js';
import { deriveKey } from '../../../../security/crypto.js';
import { translate, type MessageKey } from '../../../../i18n/index.js';
import { localeFor } from '../../../locale.js';
import { noticeFrom } from '../../../notice.js';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import type { AccountDeps } from '../../deps.js';
import { formFields } from '../../../form-fields.js';
import { accountForm, requireAccount, requireAccountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import { signInUrl, unmetBy, type AccountSession } from '../../session.js';
import { deviceCookies, deviceOf } from '../../../device-cookie.js';
import { AttemptLimit, ownAllowance } from '../password/limits.js';
import { formatPhone, normalizeEmail, normalizePhone } from './normalize.js';
import { CONTACT_CHANGE_RULE, FACTOR_PHONE_REMOVE_RULE } from './rules.js';
import { secondFactorPhone } from '../../../../accounts/second-factor-phone.js';
import { mayAddFactor } from '../../../../assurance/factor-changes.js';
import { LEVEL_LABEL } from '../../../messages.js';
import { CONTACT_CHANGE_REQUESTED, CONTACT_CHANGED, CONTACT_TEXT, RESET_METHOD_TEXT } from './messages.js';

const PAGE = '/account/contacts';
const VIEW = '/src/web/account/pages/contacts/views/contacts';
/** What the page says after each change it redirects from (`?notice=`). */
const NOTICES = {
  phone_code_sent: 'contacts.notice.phone_code_sent',
  email_code_sent: 'contacts.notice.email_code_sent',
  phone_verified: 'contacts.notice.phone_verified',
  email_verified: 'contacts.notice.email_verified',
  phone_changed: 'contacts.notice.phone_changed',
  email_changed: 'contacts.notice.email_changed',
  phone_deleted: 'contacts.notice.phone_deleted',
  email_deleted: 'contacts.notice.email_deleted',
  phone_cancelled: 'contacts.notice.phone_cancelled',
  email_cancelled: 'contacts.notice.email_cancelled',
  reset_method_saved: 'contacts.notice.reset_method_saved',
  refreshed: 'contacts.notice.refreshed',
  unchanged: 'contacts.notice.unchanged',
} as const satisfies Record<string, MessageKey>;

type Kind = 'phone' | 'email';

interface FormError {
  field: string;
  code: MessageKey;
  params?: Record<string, string | number>;
}

/** "My contact options": mobile phone and e-mail (add, verify, update, delete), reset method, registry refresh. */
export function contactPages(router: Router, deps: AccountDeps): void {
  const codes = new OneTimeCodes(deps.services.state, deriveKey(deps.config.masterKey, 'contact-codes'), { ttlSeconds: 300, maxAttempts: 5 });
  // Budgets of codes sent (issue 25): per account and channel (the browser the person signed in with has
  // its own, so a stolen session cannot spend hers), and a ceiling per phone number or address, whichever
  // account or browser asks, so nobody's phone or mailbox can be flooded by accounts that are not hers.
  // The ceiling (20 an hour by default) is four times an account's budget: it is reached only by someone
  // signing in again and again, in several browsers or accounts, to flood one number.
  const sent = new AttemptLimit(deps, 'contact-codes-sent', deps.config.limits.codes.perAccountHour, 3600);
  const toTarget = new AttemptLimit(deps, 'contact-codes-target', deps.config.limits.codes.perTargetHour, 3600);
  const scope = (accountId: string, kind: Kind, value: string) => `contact:${accountId}:${kind}:${value}`;
  const ip = (ctx: Context) => deps.clientIp(ctx);

  const show = async (
    ctx: Context,
    session: AccountSession,
    account: Account,
    extra: { error?: FormError; notice?: MessageKey; values?: Record<string, string> } = {},
    status = 200,
  ) => {
    const pending = await deps.services.accounts.pendingContacts(account.id);
    await renderAccountPage(
      ctx,
      session,
      VIEW,
      {
        id: 'contacts',
        titleKey: 'contacts.title',
        data: {
          account,
          pending: { phone: pending.phone ? formatPhone(pending.phone) : '', email: pending.email ?? '' },
          phoneText: account.phone ? formatPhone(account.phone) : '',
          phoneLevel:
            account.phoneVerifiedAcr && account.phoneVerifiedAcr !== 'registry' ? translate(localeFor(ctx), LEVEL_LABEL[account.phoneVerifiedAcr]) : '',
          resetMethod: account.passwordResetMethod ?? 'phone',
          contactText: CONTACT_TEXT,
          resetMethodText: RESET_METHOD_TEXT,
          fresh: !unmetBy(session, CONTACT_CHANGE_RULE),
          reauthUrl: signInUrl(PAGE, CONTACT_CHANGE_RULE, true),
          values: extra.values ?? {},
          ...extra,
        },
      },
      { status },
    );
  };

  const load = async (session: AccountSession): Promise<Account> => {
    const account = await deps.services.accounts.findById(session.accountId);
    if (!account) throw new KapiError('not_found');
    return account;
  };

  /**
   * The contact waiting for its code: a new value recorded beside a verified one (pending), else a
   * recorded contact not verified yet. `replaces`: verifying it replaces a verified contact.
   */
  const awaiting = async (account: Account, kind: Kind): Promise<{ value: string; replaces: boolean } | undefined> => {
    const pending = (await deps.services.accounts.pendingContacts(account.id))[kind];
    const current = kind === 'phone' ? account.phone : account.email;
    const verified = kind === 'phone' ? account.phoneVerified : account.emailVerified;
    if (pending && current && verified) return { value: pending, replaces: true };
    if (current && !verified) return { value: current, replaces: false };
    return undefined;
  };

  /** Sends a new code to the recorded, unverified contact. False when the hourly budget is spent. */
  const sendCode = async (ctx: Context, account: Account, kind: Kind, value: string): Promise<number> => {
    const perAccount = ownAllowance(`${account.id}:${kind}`, deviceOf(ctx, deviceCookies(deps.config), account.nationalId));
    const wait = await sent.consume(perAccount);
    if (wait) return wait;
    const targetWait = await toTarget.consume(`${kind}:${value.toLowerCase()}`);
    if (targetWait) {
      await sent.giveBack(perAccount); // nothing was sent
      return targetWait;
    }
    const { code } = await codes.issue(scope(account.id, kind, value), ['code']);
    const locale = localeFor(ctx);
    const minutes = Math.round(codes.ttlSeconds / 60);
    try {
      if (kind === 'phone')
        await deps.ports.sms.send({ to: value, text: translate(locale, 'contacts.code.sms', { code: code!, minutes }), purpose: 'contact_verification' });
      else
        await deps.ports.mail.send({
          to: value,
          subject: translate(locale, 'contacts.code.subject'),
          text: translate(locale, 'contacts.code.mail', { code: code!, minutes }),
          purpose: 'contact_verification',
        });
    } catch (err) {
      await codes.discard(scope(account.id, kind, value));
      throw err;
    }
    return 0;
  };

  /** Tells the person's verified contacts, before they change, that a contact is changing. */
  const notifyChange = async (ctx: Context, account: Account, kind: Kind, notification = CONTACT_CHANGED) => {
    const locale = localeFor(ctx);
    const when = new Date().toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
    await deps.ports.notifier
      .notify(account, notification, { when, what: translate(locale, CONTACT_TEXT[kind].name) }, locale)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'contact notification failed'));
  };

  const endOthers = async (ctx: Context, session: AccountSession, reason: string) => {
    const ended = await deps.services.sessions.endForAccount(session.accountId, { except: session.uid, reason });
    if (ended)
      await deps.services.audit.event({
        type: 'session.ended_by_setting',
        accountId: session.accountId,
        clientId: ACCOUNT_CLIENT_ID,
        actor: 'self',
        ip: ip(ctx),
        detail: { setting: reason, sessions: ended },
      });
  };

  const dropPending = async (ctx: Context, session: AccountSession, account: Account, kind: Kind, pending: string) => {
    await deps.services.db.transaction(async (trx) => {
      await deps.services.accounts.setPending(account.id, kind, null, trx);
      await deps.services.audit.event(
        {
          type: `account.${kind}_change_cancelled`,
          accountId: account.id,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip: ip(ctx),
          detail: { acr: session.acr },
        },
        trx,
      );
    });
    await codes.discard(scope(account.id, kind, pending));
  };

  const done = (ctx: Context, notice: string) => {
    ctx.status = 303;
    ctx.redirect(`${PAGE}?notice=${notice}`);
  };

  router.get('/contacts', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const notice = noticeFrom(NOTICES, ctx.query.notice);
    await show(ctx, session, await load(session), { notice });
  });

  for (const kind of ['phone', 'email'] as const) {
    // After a re-authentication the sign-in returns here with GET: back to the page.
    router.get(`/contacts/${kind}`, (ctx) => ctx.redirect(PAGE));
    router.get(`/contacts/${kind}/verify`, (ctx) => ctx.redirect(PAGE));
    router.get(`/contacts/${kind}/send`, (ctx) => ctx.redirect(PAGE));

    // Add, update or delete: only right after confirming who you are. An update of a verified contact
    // waits beside it until its code is typed (verify, below).
    router.post(`/contacts/${kind}`, accountForm, async (ctx) => {
      const form = await requireAccountForm(ctx, deps, CONTACT_CHANGE_RULE);
      if (!form) return;
      const { session, input } = form;
      const account = await load(session);
      const current = kind === 'phone' ? account.phone : account.email;
      // Deleting or replacing the phone that confirms sign-ins removes a factor: that rule too.
      // (A malformed number replaces nothing: it gets its 400 below.)
      const typed = kind === 'phone' && input.action === 'update' ? normalizePhone((input.phone ?? '').trim()) : undefined;
      const removesFactor =
        kind === 'phone' && secondFactorPhone(account) !== undefined && (input.action === 'delete' || (typed !== undefined && typed !== current));
      if (removesFactor && unmetBy(session, FACTOR_PHONE_REMOVE_RULE) && !(await requireAccount(ctx, deps, FACTOR_PHONE_REMOVE_RULE))) return;
      if (input.action === 'delete') {
        if (!current) return done(ctx, 'unchanged');
        const pending = (await deps.services.accounts.pendingContacts(account.id))[kind];
        await notifyChange(ctx, account, kind);
        await deps.services.db.transaction(async (trx) => {
          if (kind === 'phone') await deps.services.accounts.setPhone(account.id, null, undefined, trx);
          else await deps.services.accounts.setEmail(account.id, null, false, trx);
          await deps.services.accounts.setPending(account.id, kind, null, trx);
          // Without a verified e-mail, "phone and e-mail" resets could never succeed: back to phone only.
          if (kind === 'email') await deps.services.accounts.setPasswordResetMethod(account.id, 'phone', trx);
          await deps.services.audit.event(
            { type: `account.${kind}_deleted`, accountId: account.id, clientId: ACCOUNT_CLIENT_ID, actor: 'self', ip: ip(ctx), detail: { acr: session.acr } },
            trx,
          );
        });
        await codes.discard(scope(account.id, kind, current));
        if (pending) await codes.discard(scope(account.id, kind, pending));
        await endOthers(ctx, session, `${kind}_deleted`);
        return done(ctx, `${kind}_deleted`);
      }
      if (input.action !== 'update') throw new KapiError('invalid_request', 'unknown contact action');
      const raw = (input[kind] ?? '').trim();
      const value = kind === 'phone' ? normalizePhone(raw) : normalizeEmail(raw);
      if (!value)
        return show(
          ctx,
          session,
          account,
          { error: { field: kind, code: raw ? CONTACT_TEXT[kind].invalid : CONTACT_TEXT[kind].missing }, values: { [kind]: raw.slice(0, 254) } },
          400,
        );
      const verified = kind === 'phone' ? account.phoneVerified : account.emailVerified;
      const pending = (await deps.services.accounts.pendingContacts(account.id))[kind];
      if (current && verified) {
        // The verified contact stays in use (resets, the SMS second factor, notifications) until the new
        // one is verified: a typo costs nothing (issue 20 point 5). Typing the verified one again
        // drops a pending change.
        if (value === current) {
          if (!pending) return done(ctx, 'unchanged');
          await dropPending(ctx, session, account, kind, pending);
          return done(ctx, `${kind}_cancelled`);
        }
        if (value !== pending) {
          await deps.services.db.transaction(async (trx) => {
            await deps.services.accounts.setPending(account.id, kind, value, trx);
            await deps.services.audit.event(
              {
                type: `account.${kind}_change_requested`,
                accountId: account.id,
                clientId: ACCOUNT_CLIENT_ID,
                actor: 'self',
                ip: ip(ctx),
                detail: { acr: session.acr, replacesPending: Boolean(pending) },
              },
              trx,
            );
          });
          if (pending) await codes.discard(scope(account.id, kind, pending));
          // The owner hears of it on the contact in use now, before anything changes.
          await notifyChange(ctx, account, kind, CONTACT_CHANGE_REQUESTED);
        }
      } else if (value !== current || pending) {
        // Nothing verified to keep: the new value is recorded unverified, as the only one.
        await deps.services.db.transaction(async (trx) => {
          if (kind === 'phone') await deps.services.accounts.setPhone(account.id, value, undefined, trx);
          else await deps.services.accounts.setEmail(account.id, value, false, trx);
          await deps.services.accounts.setPending(account.id, kind, null, trx);
          if (kind === 'email') await deps.services.accounts.setPasswordResetMethod(account.id, 'phone', trx);
          await deps.services.audit.event(
            {
              type: `account.${kind}_changed`,
              accountId: account.id,
              clientId: ACCOUNT_CLIENT_ID,
              actor: 'self',
              ip: ip(ctx),
              detail: { acr: session.acr, replacedVerified: false },
            },
            trx,
          );
        });
        if (current && current !== value) await codes.discard(scope(account.id, kind, current));
        if (pending) await codes.discard(scope(account.id, kind, pending));
        await endOthers(ctx, session, `${kind}_changed`);
      }
      const wait = await sendCode(ctx, account, kind, value);
      if (wait)
        return show(
          ctx,
          session,
          await load(session),
          { error: { field: `${kind}_code`, code: 'contacts.error.too_many_codes', params: { minutes: Math.ceil(wait / 60) } } },
          429,
        );
      return done(ctx, `${kind}_code_sent`);
    });

    // "Cancel this change": the pending value goes, the verified one was never touched (any session:
    // it only drops what was asked for).
    router.get(`/contacts/${kind}/cancel`, (ctx) => ctx.redirect(PAGE));
    router.post(`/contacts/${kind}/cancel`, accountForm, async (ctx) => {
      const form = await requireAccountForm(ctx, deps);
      if (!form) return;
      const account = await load(form.session);
      const pending = (await deps.services.accounts.pendingContacts(account.id))[kind];
      if (!pending) return done(ctx, 'unchanged');
      await dropPending(ctx, form.session, account, kind, pending);
      return done(ctx, `${kind}_cancelled`);
    });

    // "Verify my mobile phone now": a new code to the recorded number (any session: it only sends).
    router.post(`/contacts/${kind}/send`, accountForm, async (ctx) => {
      const form = await requireAccountForm(ctx, deps);
      if (!form) return;
      const account = await load(form.session);
      const target = await awaiting(account, kind);
      if (!target) return done(ctx, 'unchanged');
      const wait = await sendCode(ctx, account, kind, target.value);
      if (wait)
        return show(
          ctx,
          form.session,
          account,
          { error: { field: `${kind}_code`, code: 'contacts.error.too_many_codes', params: { minutes: Math.ceil(wait / 60) } } },
          429,
        );
      return done(ctx, `${kind}_code_sent`);
    });

    router.post(`/contacts/${kind}/verify`, accountForm, async (ctx) => {
      const form = await requireAccountForm(ctx, deps);
      if (!form) return;
      const { session, input } = form;
      const account = await load(session);
      const target = await awaiting(account, kind);
      if (!target) return done(ctx, 'unchanged');
      const answer = (input.code ?? '').replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(answer)) return show(ctx, session, account, { error: { field: `${kind}_code`, code: 'contacts.error.code_format' } }, 400);
      const result = await codes.verify(scope(account.id, kind, target.value), { code: answer });
      if (result !== 'ok') {
        await deps.services.audit.event({
          type: `account.${kind}_verification_failed`,
          accountId: account.id,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip: ip(ctx),
          detail: { result },
        });
        const code = result === 'too_many' ? 'contacts.error.code_too_many' : result === 'gone' ? 'contacts.error.code_gone' : 'contacts.error.code_wrong';
        return show(ctx, session, account, { error: { field: `${kind}_code`, code } }, result === 'too_many' ? 429 : 400);
      }
      // The level of this session is remembered with the phone: the SMS second factor needs substantial+,
      // reached in a sign-in that may add a factor (fresh); otherwise the phone is a verified contact only.
      const becomesFactor = kind === 'phone' && mayAddFactor({ acr: session.acr, authTime: session.loginTs });
      const level = becomesFactor ? session.acr : 'low';
      if (target.replaces) {
        // Replacing the phone that confirms sign-ins removes a factor: asked when the change was
        // requested, and still true now (the phone may have become a factor since).
        if (
          kind === 'phone' &&
          secondFactorPhone(account) !== undefined &&
          unmetBy(session, FACTOR_PHONE_REMOVE_RULE) &&
          !(await requireAccount(ctx, deps, FACTOR_PHONE_REMOVE_RULE))
        )
          return;
        // The new contact, now proved, replaces the verified one: its owner is told first.
        await notifyChange(ctx, account, kind);
        const replaced = await deps.services.db.transaction(async (trx) => {
          if (!(await deps.services.accounts.promotePending(account.id, kind, target.value, kind === 'phone' ? level : undefined, trx))) return false;
          await deps.services.audit.event(
            {
              type: `account.${kind}_changed`,
              accountId: account.id,
              clientId: ACCOUNT_CLIENT_ID,
              actor: 'self',
              ip: ip(ctx),
              detail: { acr: session.acr, replacedVerified: true },
            },
            trx,
          );
          await deps.services.audit.event(
            {
              type: `account.${kind}_verified`,
              accountId: account.id,
              clientId: ACCOUNT_CLIENT_ID,
              actor: 'self',
              ip: ip(ctx),
              detail: { acr: session.acr, methods: session.methods, secondFactor: becomesFactor },
            },
            trx,
          );
          return true;
        });
        if (!replaced) return done(ctx, 'unchanged');
        const old = kind === 'phone' ? account.phone : account.email;
        if (old) await codes.discard(scope(account.id, kind, old));
        // Where reset codes go has changed (and perhaps a factor): the other sessions end.
        await endOthers(ctx, session, `${kind}_changed`);
        return done(ctx, `${kind}_changed`);
      }
      await deps.services.db.transaction(async (trx) => {
        if (kind === 'phone') await deps.services.accounts.setPhone(account.id, target.value, level, trx);
        else await deps.services.accounts.setEmail(account.id, target.value, true, trx);
        await deps.services.audit.event(
          {
            type: `account.${kind}_verified`,
            accountId: account.id,
            clientId: ACCOUNT_CLIENT_ID,
            actor: 'self',
            ip: ip(ctx),
            detail: { acr: session.acr, methods: session.methods, secondFactor: becomesFactor },
          },
          trx,
        );
      });
      // A new factor: the person's other sessions end (one may be an intruder's).
      if (becomesFactor) await endOthers(ctx, session, 'factor_added');
      return done(ctx, `${kind}_verified`);
    });
  }

  router.get('/contacts/reset-method', (ctx) => ctx.redirect(PAGE));
  router.post('/contacts/reset-method', accountForm, async (ctx) => {
    const method = formFields(ctx).method;
    if (method !== 'phone' && method !== 'phone_and_email') throw new KapiError('invalid_request', 'unknown reset method');
    const form = await requireAccountForm(ctx, deps, CONTACT_CHANGE_RULE);
    if (!form) return;
    const account = await load(form.session);
    if ((account.passwordResetMethod ?? 'phone') === method) return done(ctx, 'unchanged');
    if (method === 'phone_and_email' && !(account.emailVerified && account.email)) {
      return show(ctx, form.session, account, { error: { field: 'method-phone_and_email', code: 'contacts.error.reset_needs_email' } }, 400);
    }
    await deps.services.db.transaction(async (trx) => {
      await deps.services.accounts.setPasswordResetMethod(account.id, method, trx);
      await deps.services.audit.event(
        {
          type: 'account.reset_method_changed',
          accountId: account.id,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip: ip(ctx),
          detail: { method, acr: form.session.acr },
        },
        trx,
      );
    });
    await endOthers(ctx, form.session, 'reset_method_changed');
    return done(ctx, 'reset_method_saved');
  });

  // "Refresh my information": names, birth date and address as the population registry has them now.
  router.get('/contacts/refresh', (ctx) => ctx.redirect(PAGE));
  router.post('/contacts/refresh', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const account = await load(form.session);
    const person = await deps.services.registry.lookup(account.nationalId);
    if (!person) throw new KapiError('upstream_unavailable', 'the registry no longer knows this number');
    await deps.services.db.transaction(async (trx) => {
      await deps.services.accounts.refreshFromRegistry(
        account.id,
        { givenName: person.givenName, familyName: person.familyName, birthdate: person.birthdate, address: person.address },
        trx,
      );
      await deps.services.audit.event(
        { type: 'account.refreshed_from_registry', accountId: account.id, clientId: ACCOUNT_CLIENT_ID, actor: 'self', ip: ip(ctx) },
        trx,
      );
    });
    return done(ctx, 'refreshed');
  });
}
