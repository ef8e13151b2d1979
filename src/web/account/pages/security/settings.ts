import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import type { AccountDeps } from '../../deps.js';
import type { AccountSession } from '../../session.js';
import { localeFor } from '../../../locale.js';
import { log } from '../../../../log.js';
import { SETTING_NOTIFICATION } from './messages.js';

export type SecuritySetting = 'password_login' | 'bank_login';

/** One change of a security setting, as the person asked for it. */
export interface SettingChange {
  setting: SecuritySetting;
  enabled: boolean;
}

export type SettingChangeName = 'password_login_opened' | 'password_login_closed' | 'bank_login_unblocked' | 'bank_login_blocked';

/** Audit event type, notice and notification of a change: one name for all, so they cannot drift. */
export function changeName(change: SettingChange): SettingChangeName {
  if (change.setting === 'password_login') return change.enabled ? 'password_login_opened' : 'password_login_closed';
  return change.enabled ? 'bank_login_unblocked' : 'bank_login_blocked';
}

/**
 * Applies a change of a security setting. The flag and its audit event are written in one
 * transaction (a compare-and-set: a double submit changes, records and notifies once). Afterwards the
 * person's other sessions end (a security setting changed: a session an intruder may hold must not
 * outlive it) and the person is told on their verified phone and e-mail. Returns false when the
 * setting already had that value.
 */
export async function applySettingChange(ctx: Context, deps: AccountDeps, session: AccountSession, change: SettingChange): Promise<boolean> {
  const { accounts, audit, db, sessions } = deps.services;
  const name = changeName(change);
  const changed = await db.transaction(async (trx) => {
    const done =
      change.setting === 'password_login'
        ? await accounts.setPasswordLoginEnabled(session.accountId, change.enabled, trx)
        : await accounts.setBankLoginEnabled(session.accountId, change.enabled, trx);
    if (done) {
      await audit.event(
        {
          type: `account.${name}`,
          accountId: session.accountId,
          clientId: ACCOUNT_CLIENT_ID,
          actor: 'self',
          ip: deps.clientIp(ctx),
          detail: { methods: session.methods, acr: session.acr },
        },
        trx,
      );
    }
    return done;
  });
  if (!changed) return false;
  const ended = await sessions.endForAccount(session.accountId, { reason: 'security_setting', except: session.uid });
  if (ended)
    await audit.event({
      type: 'session.ended_by_setting',
      accountId: session.accountId,
      clientId: ACCOUNT_CLIENT_ID,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { setting: name, sessions: ended },
    });
  const account = await accounts.findById(session.accountId);
  if (account) {
    const locale = localeFor(ctx);
    const when = new Date().toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
    await deps.ports.notifier
      .notify(account, SETTING_NOTIFICATION[name], { when }, locale)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'security notification failed'));
  }
  return true;
}
