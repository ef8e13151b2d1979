import type { MailSender } from '../../adapters/mail/port.js';
import type { SmsSender } from '../../adapters/sms/port.js';
import { log } from '../log.js';
import { translate, type Locale } from '../i18n/index.js';
import type { Account } from './account.js';

/**
 * Tells a person about a change to their account (password changed, two-factor turned off, ...) on
 * their verified phone and e-mail. A notification never blocks the change it reports: a failing
 * gateway is logged (without the text) and the change stands.
 */
export class Notifier {
  constructor(private readonly sms: SmsSender, private readonly mail: MailSender) {}

  /** `key` names messages `${key}.sms`, `${key}.subject` and `${key}.mail` (registered by the feature). */
  async notify(account: Account, key: string, params: Record<string, string | number> = {}, locale: Locale = 'tr'): Promise<void> {
    const sends: Promise<void>[] = [];
    if (account.phone && account.phoneVerified) {
      sends.push(this.sms.send({ to: account.phone, text: translate(locale, `${key}.sms`, params), purpose: 'notification' }));
    }
    if (account.email && account.emailVerified) {
      sends.push(this.mail.send({ to: account.email, subject: translate(locale, `${key}.subject`, params), text: translate(locale, `${key}.mail`, params), purpose: 'notification' }));
    }
    const results = await Promise.allSettled(sends);
    for (const r of results) if (r.status === 'rejected') log.warn({ key, err: (r.reason as Error)?.message }, 'account notification could not be sent');
  }
}
