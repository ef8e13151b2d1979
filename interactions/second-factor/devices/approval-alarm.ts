import type { PushSender } from '../../../adapters/push/port.js';
import type { AccountStore } from '../../../src/engine/ports.js';
import type { Notification, Notifier } from '../../../src/accounts/notifier.js';
import { log } from '../../../src/log.js';
import { registerCatalog, translate, type Locale, type English } from '../../../src/i18n/index.js';
import type { ApprovalLimits } from './approval-limits.js';
import type { Approvals } from './approvals.js';
import type { DeviceRegistry } from './device-registry.js';

// What follows a wrong number or a denial on the phone: the approval was opened by someone who got
// past the password. The device step is locked for the account (for the strangers' browsers, or for
// the one browser of hers that opened it), and the owner is told in the app (a push to each of her
// devices) and on her verified phone and e-mail that someone knows her password.

const tr = {
  'second_factor.alarm.title': 'Şifreniz başkasının elinde olabilir',
  'second_factor.alarm.body': '{client} için şifrenizle yapılan bir giriş cihazınızda reddedildi. Siz değilseniz şifrenizi hemen değiştirin.',
  'second_factor.alarm.sms':
    'Kapı: {when} tarihinde {client} için şifrenizle yapılan bir giriş cihazınızda reddedildi ({place}). Siz değilseniz şifrenizi hemen değiştirin; cihaz onayı {minutes} dakika kapalı.',
  'second_factor.alarm.subject': 'Şifrenizle yapılan bir giriş reddedildi',
  'second_factor.alarm.mail':
    '{when} tarihinde {client} için şifrenizle bir giriş denendi ve kayıtlı cihazınızda reddedildi ya da yanlış sayı girildi. Yer: {place}.\n\nBu siz değilseniz biri şifrenizi biliyor: şifrenizi hemen değiştirin (Hesabım > Şifremi değiştir). Güvenliğiniz için cihaz onayı {minutes} dakika kapalı; daha önce giriş yaptığınız tarayıcınızda çalışmaya devam eder.',
  'second_factor.alarm.unknown_place': 'bilinmeyen yer',
} as const;

const en: English<typeof tr> = {
  'second_factor.alarm.title': 'Someone may know your password',
  'second_factor.alarm.body': 'A sign-in to {client} with your password was refused on your device. If it was not you, change your password now.',
  'second_factor.alarm.sms':
    'Kapı: at {when} a sign-in to {client} with your password was refused on your device ({place}). If it was not you, change your password now; device approval is paused for {minutes} minutes.',
  'second_factor.alarm.subject': 'A sign-in with your password was refused',
  'second_factor.alarm.mail':
    'At {when} someone tried to sign in to {client} with your password, and it was denied on your registered device or the wrong number was typed. Place: {place}.\n\nIf this was not you, someone knows your password: change it now (My account > Change my password). For your safety, device approval is paused for {minutes} minutes; in a browser you have signed in with before it keeps working.',
  'second_factor.alarm.unknown_place': 'unknown place',
};

registerCatalog(tr, en);

declare module '../../../src/i18n/index.js' {
  interface Catalogs {
    'interactions/second-factor/devices/approval-alarm': typeof tr;
  }
}

const ALARM: Notification = { sms: 'second_factor.alarm.sms', subject: 'second_factor.alarm.subject', mail: 'second_factor.alarm.mail' };

export interface ApprovalAlarmDeps {
  approvals: Approvals;
  limits: ApprovalLimits;
  accounts: AccountStore;
  devices: DeviceRegistry;
  push: PushSender;
  notifier: Notifier;
}

/** Locks the device step and warns the owner, after `approvalId` got a wrong number or a denial. */
export function approvalAlarm(deps: ApprovalAlarmDeps): (approvalId: string, locale: Locale) => Promise<void> {
  return async (approvalId, locale) => {
    const found = await deps.approvals.find(approvalId);
    if (!found) return;
    const { approval } = found;
    await deps.limits.lock(approval.accountId, approval.browser);
    const account = await deps.accounts.findById(approval.accountId);
    if (!account) return;
    const when = new Date(approval.iat * 1000).toLocaleString(locale === 'tr' ? 'tr-TR' : 'en-GB', { timeZone: 'Europe/Istanbul' });
    const place = approval.place === 'local' || !approval.place ? translate(locale, 'second_factor.alarm.unknown_place') : approval.place;
    const params = { client: approval.clientName, when, place, minutes: Math.round(deps.limits.lockSeconds / 60) };
    // A warning never fails the answer it follows: a gateway that fails is logged, without the text.
    for (const target of await deps.devices.pushTargets(account.id)) {
      await deps.push
        .send({
          token: target.token,
          title: translate(locale, 'second_factor.alarm.title'),
          body: translate(locale, 'second_factor.alarm.body', params),
          data: { type: 'alert', reason: 'approval_refused' },
        })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'push warning failed'));
    }
    await deps.notifier.notify(account, ALARM, params, locale);
  };
}
