import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import type { AccountDeps } from '../../deps.js';
import { localeFor } from '../../../locale.js';
import { log } from '../../../../log.js';
import { PASSWORD_CHANGED } from './messages.js';

export interface NewPassword {
  accountId: string;
  hash: string;
  origin: 'self' | 'reset';
  /** Audit event type: account.password_changed, account.password_set_without_old, account.password_reset. */
  event: string;
  detail: Record<string, unknown>;
  /** Which sessions end afterwards. */
  endSessions: { except?: string; startedWith?: string; reason: string; revokeTokens?: boolean };
}

/**
 * Stores a new password (argon2id hash) with its audit event in one transaction, then ends the
 * sessions the change makes untrustworthy (with back-channel logout to the institutions) and tells
 * the person on their verified phone and e-mail. Returns the number of sessions ended.
 */
export async function saveNewPassword(ctx: Context, deps: AccountDeps, change: NewPassword): Promise<number> {
  const { accounts, audit, db, sessions } = deps.services;
  const ip = deps.clientIp(ctx);
  await db.transaction(async (trx) => {
    await accounts.setPassword({ accountId: change.accountId, hash: change.hash, mustChange: false, origin: change.origin }, trx);
    await audit.event({ type: change.event, accountId: change.accountId, clientId: ACCOUNT_CLIENT_ID, actor: 'self', ip, detail: change.detail }, trx);
  });
  const ended = await sessions.endForAccount(change.accountId, change.endSessions);
  if (ended)
    await audit.event({
      type: 'session.ended_by_password_change',
      accountId: change.accountId,
      clientId: ACCOUNT_CLIENT_ID,
      actor: 'self',
      ip,
      detail: { sessions: ended, reason: change.endSessions.reason },
    });
  const account = await accounts.findById(change.accountId);
  if (account) {
    const locale = localeFor(ctx);
    const when = new Date().toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
    await deps.ports.notifier
      .notify(account, PASSWORD_CHANGED, { when }, locale)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'password notification failed'));
  }
  return ended;
}
