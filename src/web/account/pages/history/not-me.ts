import type Router from '@koa/router';
import type { Context } from 'koa';
import { KapiError } from '../../../../errors.js';
import { log } from '../../../../log.js';
import { translate } from '../../../../i18n/index.js';
import { localeFor } from '../../../locale.js';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import type { AccountDeps } from '../../deps.js';
import { accountForm, requireAccountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import type { AccountSession } from '../../session.js';
import type { SignInRow } from '../../../../security/audit.js';
import type { ContactKind } from '../../../../accounts/account-repository.js';
import { entryView } from './entry-view.js';
import { institutionsById } from './institutions.js';
import { addedSinceSignIn, disownedWords, notMePlan, type NotMeAdvice, type NotMePlan } from './not-me-plan.js';
import { ADVICE_MESSAGE, CONTACT_REMOVED, CONTACT_WILL_GO, NOT_ME } from './messages.js';

const VIEWS = '/src/web/account/pages/history/views';
const DONE_PATH = '/account/history/not-me/done';
// What the done page shows, carried past the ending of the session that asked for it (signed, http-only,
// only sent to the done page, gone after ten minutes). Nothing in it is personal.
const OUTCOME_COOKIE = 'kapi_not_me';
const ENTRY_ID = /^[1-9]\d{0,17}$/;
const CONTACT_KINDS = new Set<ContactKind>(['phone', 'email']);
const ADVICE = new Set<NotMeAdvice>(['certificate_provider', 'id_card', 'gsm_operator', 'second_factors', 'earlier_sign_in']);

interface Outcome {
  closePassword: boolean;
  blockBanking: boolean;
  advice: NotMeAdvice[];
  /** Methods whose credential (the one the sign-in used) was removed. */
  disowned: string[];
  /** Methods whose credentials added since the sign-in were removed. */
  disownedAdded: string[];
  /** Verified contacts (phone, e-mail) verified since the sign-in, removed. */
  contacts: ContactKind[];
}

/**
 * "Bu ben değilim / This wasn't me" on a sign-in of the history (issue 20 point 4). Any signed-in session
 * of the owner may press it: it only takes access away (every session ends, the one pressing it too, and
 * the method of that sign-in closes), so nothing is gained by pressing it with a stolen session that was
 * not already lost with it. The entry must be one of hers: another person's entry id is "not found",
 * exactly like a made-up one, and nothing of anyone's is touched.
 */
export function notMePages(router: Router, deps: AccountDeps): void {
  // A re-authentication or a reload returns here with GET: back to the list.
  router.get('/history/not-me', (ctx) => ctx.redirect('/account/history'));

  router.post('/history/not-me', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const { session, input } = form;
    const id = input.entry ?? '';
    if (!ENTRY_ID.test(id)) throw new KapiError('invalid_request', 'bad history entry');
    const entry = await deps.services.audit.signInOf(session.accountId, id);
    // Only a sign-in of hers that got in; anything else is "not found", whoever it belongs to.
    if (!entry || entry.result !== 'success') throw new KapiError('not_found', 'no such sign-in');
    const used = notMePlan(entry.method, deps.traits, entry.credentials);
    const { credentialsAddedSince, db } = deps.services;
    const plan: NotMePlan = { ...used, disownAdded: await addedSinceSignIn(credentialsAddedSince, db, session.accountId, entry.at, used.disown) };
    // A phone or e-mail verified since that sign-in may be the intruder's: reset codes, the SMS second
    // factor and notices would go to him after every session has ended. They go too (hers as well).
    const contactsSince = await deps.services.accounts.contactsVerifiedSince(session.accountId, entry.at);
    if (input.confirm !== 'yes') return confirmPage(ctx, deps, session, entry, plan, contactsSince);
    const { disowned, disownedAdded, contacts } = await disown(ctx, deps, session, entry, plan, contactsSince);
    const outcome: Outcome = { closePassword: plan.closePassword, blockBanking: plan.blockBanking, advice: plan.advice, disowned, disownedAdded, contacts };
    ctx.cookies.set(OUTCOME_COOKIE, Buffer.from(JSON.stringify(outcome)).toString('base64url'), {
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      secure: ctx.secure,
      overwrite: true,
      path: DONE_PATH,
      maxAge: 10 * 60_000,
    });
    ctx.status = 303;
    ctx.redirect(DONE_PATH);
  });

  // What happened and what to do next. The person is signed out by now (everything ended), so the
  // page is shown without the account navigation.
  router.get('/history/not-me/done', async (ctx) => {
    const outcome = readOutcome(ctx, deps);
    if (!outcome) return ctx.redirect('/account/history');
    ctx.set('Cache-Control', 'no-store');
    // Each module's own words for the credential it removed: what was done, then what to do, in order.
    const disowned = [
      ...outcome.disowned.flatMap((method) => {
        const words = disownedWords(deps.traits, method);
        return words ? [{ method, done: words.done, next: words.next }] : [];
      }),
      ...outcome.disownedAdded.flatMap((method) => {
        const words = disownedWords(deps.traits, method)?.addedSince;
        return words ? [{ method: `${method}-added`, done: words.done, next: [] }] : [];
      }),
    ];
    await renderAccountPage(ctx, undefined, `${VIEWS}/not-me-done`, {
      id: 'not-me',
      titleKey: 'history.not_me.done_title',
      data: { outcome, adviceText: ADVICE_MESSAGE, disowned, contactRemoved: CONTACT_REMOVED },
    });
  });
}

async function confirmPage(
  ctx: Context,
  deps: AccountDeps,
  session: AccountSession,
  entry: SignInRow,
  plan: NotMePlan,
  contactsSince: ContactKind[],
): Promise<void> {
  const locale = localeFor(ctx);
  const names = await institutionsById(deps.services, entry.clientId ? [entry.clientId] : []);
  await renderAccountPage(ctx, session, `${VIEWS}/not-me-confirm`, {
    id: 'history',
    titleKey: 'history.not_me.confirm_title',
    data: {
      entry: entryView(entry, locale, deps.traits, names, deps.ports.locator),
      plan,
      contactsSince,
      contactWillGo: CONTACT_WILL_GO,
      adviceText: ADVICE_MESSAGE,
      disownWill: [
        ...plan.disown.flatMap((d) => disownedWords(deps.traits, d.method)?.will ?? []),
        ...[...new Set(plan.disownAdded.map((d) => d.method))].flatMap((method) => disownedWords(deps.traits, method)?.addedSince?.will ?? []),
      ],
    },
  });
}

/**
 * The method of that sign-in closes (compare-and-set, with its audit events, in one transaction: a
 * double submit closes and records once) and the credential it used is removed when its module disowns
 * credentials (a passkey), then every session and token of the person ends, whatever method started it
 * (DESIGN.md, third round, "Endings"), then she is told on her verified contacts. Answers the methods
 * whose credential was removed.
 */
async function disown(
  ctx: Context,
  deps: AccountDeps,
  session: AccountSession,
  entry: SignInRow,
  plan: NotMePlan,
  contactsSince: readonly ContactKind[],
): Promise<{ disowned: string[]; disownedAdded: string[]; contacts: ContactKind[] }> {
  const { accounts, audit, db, sessions, credentialDisowners } = deps.services;
  const disowned: string[] = [];
  const disownedAdded: string[] = [];
  let contacts: ContactKind[] = [];
  const ip = deps.clientIp(ctx);
  const accountId = session.accountId;
  const closed = await db.transaction(async (trx) => {
    const done: string[] = [];
    if (plan.closePassword && (await accounts.setPasswordLoginEnabled(accountId, false, trx))) {
      done.push('password_login');
      await audit.event(
        { type: 'account.password_login_closed', accountId, clientId: ACCOUNT_CLIENT_ID, actor: 'self', ip, detail: { via: 'not_me', entry: entry.id } },
        trx,
      );
    }
    if (plan.blockBanking && (await accounts.setBankLoginEnabled(accountId, false, trx))) {
      done.push('bank_login');
      await audit.event(
        { type: 'account.bank_login_blocked', accountId, clientId: ACCOUNT_CLIENT_ID, actor: 'self', ip, detail: { via: 'not_me', entry: entry.id } },
        trx,
      );
    }
    const toDisown = [...plan.disown.map((d) => ({ ...d, added: false })), ...plan.disownAdded.map((d) => ({ ...d, added: true }))];
    for (const { method, credential, added } of toDisown) {
      const disownCredential = credentialDisowners.get(method);
      if (!disownCredential || !(await disownCredential(trx, accountId, credential))) continue;
      const list = added ? disownedAdded : disowned;
      if (!list.includes(method)) list.push(method);
      done.push(added ? `${method}_added_credential` : `${method}_credential`);
      await audit.event(
        {
          type: 'account.credential_disowned',
          accountId,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip,
          detail: { via: 'not_me', entry: entry.id, method, credential, ...(added ? { added_since: entry.at.toISOString() } : {}) },
        },
        trx,
      );
    }
    // A contact change the intruder may have asked for (it waits for its code) is dropped too.
    await accounts.setPending(accountId, 'phone', null, trx);
    await accounts.setPending(accountId, 'email', null, trx);
    // A contact verified since the sign-in (his phone or address, perhaps) is removed, compared on its
    // verification time again inside the transaction.
    contacts = await accounts.dropContactsVerifiedSince(accountId, entry.at, contactsSince, trx);
    for (const kind of contacts) {
      done.push(`${kind}_contact`);
      await audit.event(
        {
          type: `account.${kind}_deleted`,
          accountId,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip,
          detail: { via: 'not_me', entry: entry.id, verified_since: entry.at.toISOString() },
        },
        trx,
      );
    }
    await audit.event(
      {
        type: 'account.not_me',
        accountId,
        clientId: ACCOUNT_CLIENT_ID,
        actor: 'self',
        ip,
        detail: {
          entry: entry.id,
          at: entry.at.toISOString(),
          methods: plan.methods,
          institution: entry.clientId,
          closed: done,
          advice: plan.advice,
          session: { acr: session.acr, methods: session.methods },
        },
      },
      trx,
    );
    return done;
  });
  const ended = await sessions.endForAccount(accountId, { reason: 'not_me', revokeTokens: true });
  await audit.event({
    type: 'session.ended_by_not_me',
    accountId,
    clientId: ACCOUNT_CLIENT_ID,
    actor: 'self',
    ip,
    detail: { sessions: ended, entry: entry.id, closed },
  });
  const account = await accounts.findById(accountId);
  if (account) {
    const locale = localeFor(ctx);
    const when = new Date().toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
    const closedText = [
      plan.closePassword ? translate(locale, 'history.not_me.notify.password') : '',
      plan.blockBanking ? translate(locale, 'history.not_me.notify.banking') : '',
      ...disowned.map((method) => {
        const words = disownedWords(deps.traits, method);
        return words ? translate(locale, words.done) : '';
      }),
      ...disownedAdded.map((method) => {
        const words = disownedWords(deps.traits, method)?.addedSince;
        return words ? translate(locale, words.done) : '';
      }),
      ...contacts.map((kind) => translate(locale, CONTACT_REMOVED[kind])),
    ]
      .filter(Boolean)
      .join(' ');
    await deps.ports.notifier
      .notify(account, NOT_ME, { when, closed: closedText }, locale)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'not-me notification failed'));
  }
  return { disowned, disownedAdded, contacts };
}

function readOutcome(ctx: Context, deps: AccountDeps): Outcome | undefined {
  const raw = ctx.cookies.get(OUTCOME_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Outcome>;
    return {
      closePassword: value.closePassword === true,
      blockBanking: value.blockBanking === true,
      advice: Array.isArray(value.advice) ? value.advice.filter((a): a is NotMeAdvice => ADVICE.has(a)) : [],
      disowned: Array.isArray(value.disowned) ? value.disowned.filter((m) => typeof m === 'string' && disownedWords(deps.traits, m) !== undefined) : [],
      disownedAdded: Array.isArray(value.disownedAdded)
        ? value.disownedAdded.filter((m) => typeof m === 'string' && disownedWords(deps.traits, m)?.addedSince !== undefined)
        : [],
      contacts: Array.isArray(value.contacts) ? value.contacts.filter((k): k is ContactKind => CONTACT_KINDS.has(k as ContactKind)) : [],
    };
  } catch {
    return undefined;
  }
}
