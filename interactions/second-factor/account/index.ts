import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { secondFactorPhone } from '../../../src/accounts/second-factor-phone.js';
import type { TotpStore } from '../devices/totp.js';
import { KapiError } from '../../../src/errors.js';
import { log } from '../../../src/log.js';
import { ACCOUNT_CLIENT_ID } from '../../../src/web/account/client.js';
import type { AccountDeps } from '../../../src/web/account/deps.js';
import { accountForm, requireAccount, requireAccountForm } from '../../../src/web/account/guard.js';
import { renderAccountPage } from '../../../src/web/account/render.js';
import { signInUrl, unmetBy, type AccessRule, type AccountSession } from '../../../src/web/account/session.js';
import type { MessageKey } from '../../../src/i18n/index.js';
import { localeFor } from '../../../src/web/locale.js';
import { noticeFrom } from '../../../src/web/notice.js';
import { FACTOR_FRESH_SECONDS, FACTOR_LEVEL } from '../../../src/assurance/factor-changes.js';
import { FACTOR_NOTIFICATION } from './messages.js';

const PAGE = '/account/second-factors';
const VIEWS = '/interactions/second-factor/account/views';
/** What the page says after each change it redirects from (`?notice=`). */
const NOTICES = {
  two_factor_on: 'second_factors.notice.two_factor_on',
  two_factor_off: 'second_factors.notice.two_factor_off',
  totp_activated: 'second_factors.notice.totp_activated',
  totp_deactivated: 'second_factors.notice.totp_deactivated',
  device_deleted: 'second_factors.notice.device_deleted',
  unchanged: 'second_factors.notice.unchanged',
  no_factor: 'second_factors.notice.no_factor',
} as const satisfies Record<string, MessageKey>;
const ACTIVATION_GUESSES = 5;

/** Turning 2FA on or off: a re-authentication (sign-in at most 5 minutes old). */
export const FRESH_RULE: AccessRule = { maxAgeSeconds: 300 };
/**
 * Adding a second factor (the e-Government Key): a sign-in under five minutes old at `substantial` or
 * higher, the level that removing it needs, so a stolen password alone cannot add a factor the owner does
 * not have (src/assurance/factor-changes.ts, issue 19 point 4).
 */
export const FACTOR_ADD_RULE: AccessRule = { acr: FACTOR_LEVEL, maxAgeSeconds: FACTOR_FRESH_SECONDS };
/** Removing one (the e-Government Key, a registered device): the same, or a `high` sign-in of any age. */
export const FACTOR_REMOVE_RULE: AccessRule = { ...FACTOR_ADD_RULE, sufficientAcr: 'high' };

/** What the pages use of the second factors (the module's own stores). */
export interface SecondFactorStores {
  devices: DeviceRegistry;
  totp: TotpStore;
}

async function notify(
  ctx: Context,
  deps: AccountDeps,
  accountId: string,
  name: keyof typeof FACTOR_NOTIFICATION,
  params: Record<string, string> = {},
): Promise<void> {
  const account = await deps.services.accounts.findById(accountId);
  if (!account) return;
  const locale = localeFor(ctx);
  const when = new Date().toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
  await deps.ports.notifier
    .notify(account, FACTOR_NOTIFICATION[name], { when, ...params }, locale)
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'second-factor notification failed'));
}

async function audit(ctx: Context, deps: AccountDeps, session: AccountSession, type: string, detail: Record<string, unknown> = {}): Promise<void> {
  await deps.services.audit.event({
    type,
    accountId: session.accountId,
    clientId: ACCOUNT_CLIENT_ID,
    actor: 'self',
    ip: deps.clientIp(ctx),
    detail: { ...detail, methods: session.methods, acr: session.acr },
  });
}

/** A factor added or removed: the person's other sessions end (one may be an intruder's). */
async function endOtherSessions(ctx: Context, deps: AccountDeps, session: AccountSession, reason: string, setting: string): Promise<void> {
  const ended = await deps.services.sessions.endForAccount(session.accountId, { reason, except: session.uid });
  if (ended) await audit(ctx, deps, session, 'session.ended_by_setting', { setting, sessions: ended });
}

async function totpSetupPage(ctx: Context, session: AccountSession, setup: { secret: string; uri: string }, error?: MessageKey, status = 200): Promise<void> {
  const qr = await QRCode.toDataURL(setup.uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
  await renderAccountPage(
    ctx,
    session,
    `${VIEWS}/totp-setup`,
    {
      id: 'second_factors',
      titleKey: 'second_factors.totp.setup_title',
      data: { qr, secret: setup.secret.replace(/(.{4})/g, '$1 ').trim(), error },
    },
    { status },
  );
}

/** "Two-Factor Authentication": the setting, the e-Government Key and the registered devices. */
export function secondFactorPages(stores: SecondFactorStores): (router: Router, deps: AccountDeps) => void {
  return (router, deps) => {
    router.get('/second-factors', async (ctx) => {
      const session = await requireAccount(ctx, deps);
      if (!session) return;
      const account = await deps.services.accounts.findById(session.accountId);
      if (!account) throw new KapiError('not_found');
      const { devices, totp } = stores;
      const list = await devices.list(account.id);
      const totpActive = await totp.isActive(account.id);
      const notice = noticeFrom(NOTICES, ctx.query.notice);
      const locale = localeFor(ctx);
      const format = (d: Date) => d.toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
      await renderAccountPage(ctx, session, `${VIEWS}/second-factors`, {
        id: 'second_factors',
        titleKey: 'second_factors.title',
        data: {
          twoFactorEnabled: account.twoFactorEnabled === true,
          hasFactor: Boolean(secondFactorPhone(account)) || list.length > 0 || totpActive,
          totpActive,
          devices: list.map((d) => ({ id: d.id, name: d.name, registered: format(d.createdAt), lastUsed: d.lastUsedAt ? format(d.lastUsedAt) : undefined })),
          fresh: !unmetBy(session, FRESH_RULE),
          freshUrl: signInUrl(PAGE, FRESH_RULE, true),
          mayAdd: !unmetBy(session, FACTOR_ADD_RULE),
          mayRemove: !unmetBy(session, FACTOR_REMOVE_RULE),
          factorUrl: signInUrl(PAGE, FACTOR_ADD_RULE, true),
          notice,
        },
      });
    });

    for (const path of ['/second-factors/two-factor', '/second-factors/totp', '/second-factors/totp/activate', '/second-factors/totp/remove']) {
      router.get(path, (ctx) => ctx.redirect(PAGE)); // back from a re-authentication
    }

    router.post('/second-factors/two-factor', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, FRESH_RULE);
      if (!form) return;
      const { session, input } = form;
      if (input.action !== 'on' && input.action !== 'off') throw new KapiError('invalid_request', 'unknown two-factor action');
      const enabled = input.action === 'on';
      const account = await deps.services.accounts.findById(session.accountId);
      if (!account) throw new KapiError('not_found');
      if (enabled) {
        const { devices, totp } = stores;
        const hasFactor = Boolean(secondFactorPhone(account)) || (await devices.hasAny(account.id)) || (await totp.isActive(account.id));
        if (!hasFactor) {
          ctx.status = 303;
          return ctx.redirect(`${PAGE}?notice=no_factor`);
        }
      }
      const changed = await deps.services.db.transaction(async (trx) => {
        const done = await deps.services.accounts.setTwoFactorEnabled(session.accountId, enabled, trx);
        if (done)
          await deps.services.audit.event(
            {
              type: `account.two_factor_${enabled ? 'on' : 'off'}`,
              accountId: session.accountId,
              clientId: ACCOUNT_CLIENT_ID,
              actor: 'self',
              ip: deps.clientIp(ctx),
              detail: { methods: session.methods, acr: session.acr },
            },
            trx,
          );
        return done;
      });
      if (changed) {
        // Sessions signed in without the second stage (an intruder's among them) must not outlive the setting.
        const ended = await deps.services.sessions.endForAccount(session.accountId, { reason: 'security_setting', except: session.uid });
        if (ended) await audit(ctx, deps, session, 'session.ended_by_setting', { setting: enabled ? 'two_factor_on' : 'two_factor_off', sessions: ended });
        await notify(ctx, deps, session.accountId, enabled ? 'two_factor_on' : 'two_factor_off');
      }
      ctx.status = 303;
      ctx.redirect(`${PAGE}?notice=${changed ? (enabled ? 'two_factor_on' : 'two_factor_off') : 'unchanged'}`);
    });

    router.post('/second-factors/totp', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, FACTOR_ADD_RULE);
      if (!form) return;
      const account = await deps.services.accounts.findById(form.session.accountId);
      if (!account) throw new KapiError('not_found');
      const setup = await stores.totp.begin(account.id, `${account.givenName} ${account.familyName}`);
      if (setup === 'already_active') {
        ctx.status = 303;
        return ctx.redirect(`${PAGE}?notice=unchanged`);
      }
      await audit(ctx, deps, form.session, 'account.totp_activation_started');
      await totpSetupPage(ctx, form.session, setup);
    });

    router.post('/second-factors/totp/activate', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, FACTOR_ADD_RULE);
      if (!form) return;
      const { session, input } = form;
      const account = await deps.services.accounts.findById(session.accountId);
      if (!account) throw new KapiError('not_found');
      const { totp } = stores;
      const setup = await totp.pending(account.id, `${account.givenName} ${account.familyName}`);
      if (!setup) {
        ctx.status = 303;
        return ctx.redirect(PAGE);
      }
      const attempts = await deps.services.state.incr(`totp-activate:{${account.id}}`, 900);
      if (attempts > ACTIVATION_GUESSES) return totpSetupPage(ctx, session, setup, 'second_factors.error.locked', 429);
      const result = await totp.check(account.id, (input.code ?? '').replace(/\s+/g, ''), { activate: true });
      if (result !== 'ok') return totpSetupPage(ctx, session, setup, 'second_factors.error.code_wrong', 400);
      await deps.services.state.del(`totp-activate:{${account.id}}`);
      await audit(ctx, deps, session, 'account.totp_activated');
      await endOtherSessions(ctx, deps, session, 'factor_added', 'totp_activated');
      await notify(ctx, deps, account.id, 'totp_activated');
      ctx.status = 303;
      ctx.redirect(`${PAGE}?notice=totp_activated`);
    });

    router.post('/second-factors/totp/remove', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, FACTOR_REMOVE_RULE);
      if (!form) return;
      const removed = await deps.services.db.transaction(async (trx) => {
        const done = await stores.totp.deactivate(form.session.accountId, trx);
        if (done)
          await deps.services.audit.event(
            {
              type: 'account.totp_deactivated',
              accountId: form.session.accountId,
              clientId: ACCOUNT_CLIENT_ID,
              actor: 'self',
              ip: deps.clientIp(ctx),
              detail: { methods: form.session.methods, acr: form.session.acr },
            },
            trx,
          );
        return done;
      });
      if (removed) {
        await endOtherSessions(ctx, deps, form.session, 'factor_removed', 'totp_deactivated');
        await notify(ctx, deps, form.session.accountId, 'totp_deactivated');
      }
      ctx.status = 303;
      ctx.redirect(`${PAGE}?notice=${removed ? 'totp_deactivated' : 'unchanged'}`);
    });

    router.get('/second-factors/devices/:id/delete', (ctx) => ctx.redirect(PAGE));
    // Deleting a device removes a factor: the rule of removing one (a lost phone goes at once from a fresh
    // sign-in with the remaining factor or a strong method, or from the device itself through the device API).
    router.post('/second-factors/devices/:id/delete', accountForm, async (ctx: Context) => {
      const form = await requireAccountForm(ctx, deps, FACTOR_REMOVE_RULE);
      if (!form) return;
      const { devices } = stores;
      const device = await devices.find(String(ctx.params.id));
      const deleted = device?.accountId === form.session.accountId && (await devices.delete(form.session.accountId, device.id));
      if (deleted) {
        await audit(ctx, deps, form.session, 'device.deleted', { deviceId: device.id, name: device.name });
        await endOtherSessions(ctx, deps, form.session, 'factor_removed', 'device_deleted');
        await notify(ctx, deps, form.session.accountId, 'device_deleted', { name: device.name });
      }
      ctx.status = 303;
      ctx.redirect(`${PAGE}?notice=${deleted ? 'device_deleted' : 'unchanged'}`);
    });
  };
}
