import type Router from '@koa/router';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { Context } from 'koa';
import { FACTOR_FRESH_SECONDS, FACTOR_LEVEL } from '../../../src/assurance/factor-changes.js';
import { KapiError } from '../../../src/errors.js';
import { log } from '../../../src/log.js';
import { ACCOUNT_CLIENT_ID } from '../../../src/web/account/client.js';
import type { AccountDeps } from '../../../src/web/account/deps.js';
import { accountForm, requireAccount, requireAccountForm } from '../../../src/web/account/guard.js';
import { renderAccountPage } from '../../../src/web/account/render.js';
import { signInUrl, unmetBy, type AccessRule, type AccountSession } from '../../../src/web/account/session.js';
import { localeFor } from '../../../src/web/locale.js';
import { CEREMONY_SECONDS, attestationFrom, claimedChallenge, type Challenges, type RelyingParty } from '../ceremony.js';
import type { Passkey, PasskeyStore } from '../credentials.js';
import { PASSKEY_SCRIPT } from '../method.js';
import '../messages.js';
import type { Notification } from '../../../src/accounts/notifier.js';
import type { MessageKey } from '../../../src/i18n/index.js';

const PAGE = '/account/passkeys';
const VIEWS = '/interactions/passkey/account/views';
/** The notices the page says after a change, by the name its redirect carries. */
const NOTICES: Readonly<Record<string, MessageKey>> = {
  registered: 'passkeys.notice.registered',
  removed: 'passkeys.notice.removed',
  renamed: 'passkeys.notice.renamed',
  in_use: 'passkeys.notice.in_use',
  unchanged: 'passkeys.notice.unchanged',
  not_allowed: 'passkeys.notice.not_allowed',
  refused: 'passkeys.notice.refused',
  expired: 'passkeys.notice.expired',
};
const NAME_MAX = 60;

/**
 * Adding a passkey adds a way in: a sign-in under five minutes old at `substantial` or higher, the level
 * removing one needs (DESIGN.md third round, "Factors"; src/assurance/factor-changes.ts), so a stolen
 * password alone can never add a passkey of the thief's.
 */
export const PASSKEY_ADD_RULE: AccessRule = { acr: FACTOR_LEVEL, maxAgeSeconds: FACTOR_FRESH_SECONDS };
/** Removing one: the same, or a `high` sign-in of any age. */
export const PASSKEY_REMOVE_RULE: AccessRule = { ...PASSKEY_ADD_RULE, sufficientAcr: 'high' };

export interface PasskeyPagesDeps {
  rp: RelyingParty;
  store: PasskeyStore;
  challenges: Challenges;
}

/** A name the person gave, trimmed and bounded; her words are shown escaped, never interpreted. */
function nameFrom(value: string | undefined): string | undefined {
  const name = (value ?? '').replace(/\s+/g, ' ').trim();
  return name.length >= 1 && name.length <= NAME_MAX ? name : undefined;
}

function format(ctx: Context, d: Date): string {
  return d.toLocaleString(localeFor(ctx) === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
}

async function audit(
  ctx: Context,
  deps: AccountDeps,
  session: AccountSession,
  type: string,
  detail: Record<string, unknown>,
  trx?: Parameters<AccountDeps['services']['audit']['event']>[1],
): Promise<void> {
  await deps.services.audit.event(
    {
      type,
      accountId: session.accountId,
      clientId: ACCOUNT_CLIENT_ID,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { ...detail, methods: session.methods, acr: session.acr },
    },
    trx,
  );
}

/** What the person is told on her verified phone and e-mail when a passkey is added or removed. */
const NOTIFICATION: Record<'registered' | 'removed', Notification> = {
  registered: { sms: 'passkeys.notify.registered.sms', subject: 'passkeys.notify.registered.subject', mail: 'passkeys.notify.registered.mail' },
  removed: { sms: 'passkeys.notify.removed.sms', subject: 'passkeys.notify.removed.subject', mail: 'passkeys.notify.removed.mail' },
};

async function notify(ctx: Context, deps: AccountDeps, accountId: string, event: 'registered' | 'removed', name: string): Promise<void> {
  const account = await deps.services.accounts.findById(accountId);
  if (!account) return;
  await deps.ports.notifier
    .notify(account, NOTIFICATION[event], { when: format(ctx, new Date()), name }, localeFor(ctx))
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'passkey notification failed'));
}

/** A way in added or removed: the person's other sessions end (one may be an intruder's). */
async function endOtherSessions(ctx: Context, deps: AccountDeps, session: AccountSession, reason: string, setting: string): Promise<void> {
  const ended = await deps.services.sessions.endForAccount(session.accountId, { reason, except: session.uid });
  if (ended) await audit(ctx, deps, session, 'session.ended_by_setting', { setting, sessions: ended });
}

function redirect(ctx: Context, notice: string): void {
  ctx.status = 303;
  ctx.redirect(`${PAGE}?notice=${notice}`);
}

/** "Passkeys": the person's passkeys (name, added, last used), adding one, renaming and removing. */
export function passkeyPages(pages: PasskeyPagesDeps): (router: Router, deps: AccountDeps) => void {
  const { rp, store, challenges } = pages;
  // A registration's challenge is bound to the account session that asked for it.
  const binding = (session: AccountSession) => `register:${session.uid}:${session.accountId}`;

  return (router, deps) => {
    router.get('/passkeys', async (ctx) => {
      const session = await requireAccount(ctx, deps);
      if (!session) return;
      const list = await store.list(session.accountId);
      const notice = typeof ctx.query.notice === 'string' && Object.hasOwn(NOTICES, ctx.query.notice) ? ctx.query.notice : undefined;
      await renderAccountPage(ctx, session, `${VIEWS}/passkeys`, {
        id: 'passkeys',
        titleKey: 'passkeys.title',
        data: {
          passkeys: list.map((p: Passkey) => ({
            id: p.id,
            name: p.name,
            created: format(ctx, p.createdAt),
            lastUsed: p.lastUsedAt ? format(ctx, p.lastUsedAt) : undefined,
            synced: p.deviceType === 'multiDevice',
          })),
          mayAdd: !unmetBy(session, PASSKEY_ADD_RULE),
          mayRemove: !unmetBy(session, PASSKEY_REMOVE_RULE),
          strongUrl: signInUrl(PAGE, PASSKEY_ADD_RULE, true),
          notice,
          noticeKey: notice ? NOTICES[notice] : undefined,
          nameMax: NAME_MAX,
        },
      });
    });

    // Back from a re-authentication (the sign-in returns with GET): the list.
    for (const path of ['/passkeys/new', '/passkeys/register', '/passkeys/:id/rename', '/passkeys/:id/remove']) router.get(path, (ctx) => ctx.redirect(PAGE));

    router.post('/passkeys/new', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, PASSKEY_ADD_RULE);
      if (!form) return;
      const { session, input } = form;
      const account = await deps.services.accounts.findById(session.accountId);
      if (!account) throw new KapiError('not_found');
      const name = nameFrom(input.name);
      if (!name) throw new KapiError('invalid_request', 'a passkey needs a name of 1 to 60 characters');
      // One random user handle per account (an authenticator keeps one passkey per user of a site); it
      // names the account at sign-in and is never the identity number, which the device may show or sync.
      const userHandle = (await store.userHandleOf(account.id)) ?? Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      const existing = await store.list(account.id);
      const fullName = `${account.givenName} ${account.familyName}`;
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: new Uint8Array(Buffer.from(userHandle, 'base64url')),
        userName: fullName,
        userDisplayName: fullName,
        // Given as bytes: the library would encode a string once more.
        challenge: Buffer.from(await challenges.issue('register', binding(session), { accountId: account.id, userHandle, name }), 'base64url'),
        timeout: CEREMONY_SECONDS * 1000,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
        // Discoverable (the person types nothing at sign-in) and user-verifying (PIN or biometric): required.
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      });
      await audit(ctx, deps, session, 'passkey.registration_started', { name });
      await renderAccountPage(ctx, session, `${VIEWS}/create`, {
        id: 'passkeys',
        titleKey: 'passkeys.create.title',
        data: { name, options: JSON.stringify(options), script: PASSKEY_SCRIPT },
      });
    });

    router.post('/passkeys/register', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, PASSKEY_ADD_RULE);
      if (!form) return;
      const { session, input } = form;
      if (input.error) return redirect(ctx, 'not_allowed');
      const response = attestationFrom(input.response);
      if (!response) return redirect(ctx, 'not_allowed');
      // Single use, whatever follows; issued to this session for this account.
      const challenge = claimedChallenge(response);
      const issued = await challenges.redeem('register', challenge, binding(session));
      if (!issued || issued.accountId !== session.accountId || !issued.userHandle || !issued.name) return redirect(ctx, 'expired');
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          expectedType: 'webauthn.create',
          requireUserPresence: true,
          requireUserVerification: true,
        });
      } catch (err) {
        log.warn({ reason: (err as Error).message }, 'passkey registration refused');
        await audit(ctx, deps, session, 'passkey.registration_refused', { reason: 'verification' });
        return redirect(ctx, 'refused');
      }
      if (!verified.verified || !verified.registrationInfo.userVerified) return redirect(ctx, 'refused');
      const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
      const added = await deps.services.db.transaction(async (trx) => {
        const passkey = await store.add(
          {
            credentialId: credential.id,
            accountId: session.accountId,
            userHandle: issued.userHandle!,
            publicKey: Buffer.from(credential.publicKey).toString('base64url'),
            counter: credential.counter,
            transports: response.response.transports ?? [],
            deviceType: credentialDeviceType,
            backedUp: credentialBackedUp,
            name: issued.name!,
          },
          trx,
        );
        if (passkey !== 'in_use')
          await audit(
            ctx,
            deps,
            session,
            'passkey.registered',
            { passkey: passkey.id, name: passkey.name, deviceType: passkey.deviceType, backedUp: passkey.backedUp },
            trx,
          );
        return passkey;
      });
      if (added === 'in_use') return redirect(ctx, 'in_use');
      await endOtherSessions(ctx, deps, session, 'factor_added', 'passkey_registered');
      await notify(ctx, deps, session.accountId, 'registered', added.name);
      redirect(ctx, 'registered');
    });

    router.post('/passkeys/:id/rename', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps);
      if (!form) return;
      const name = nameFrom(form.input.name);
      if (!name) throw new KapiError('invalid_request', 'a passkey needs a name of 1 to 60 characters');
      const id = String(ctx.params.id);
      const renamed = await store.rename(form.session.accountId, id, name);
      if (renamed) await audit(ctx, deps, form.session, 'passkey.renamed', { passkey: id, name });
      redirect(ctx, renamed ? 'renamed' : 'unchanged');
    });

    router.post('/passkeys/:id/remove', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, PASSKEY_REMOVE_RULE);
      if (!form) return;
      const { session } = form;
      // Only her own: another person's passkey id finds nothing and changes nothing.
      const passkey = await store.findOwn(session.accountId, String(ctx.params.id));
      const removed =
        passkey !== undefined &&
        (await deps.services.db.transaction(async (trx) => {
          const done = await store.remove(session.accountId, passkey.id, trx);
          if (done) await audit(ctx, deps, session, 'passkey.removed', { passkey: passkey.id, name: passkey.name }, trx);
          return done;
        }));
      if (removed) {
        await endOtherSessions(ctx, deps, session, 'factor_removed', 'passkey_removed');
        await notify(ctx, deps, session.accountId, 'removed', passkey.name);
      }
      redirect(ctx, removed ? 'removed' : 'unchanged');
    });
  };
}
