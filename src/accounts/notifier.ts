import type { MailSender } from '../../adapters/mail/port.js';
import type { SmsSender } from '../../adapters/sms/port.js';
import { log } from '../log.js';
import { translate, type Locale, type MessageKey, type MessageParams } from '../i18n/index.js';
import type { Account } from './account.js';

/** The messages of one notification (registered by the feature): the SMS, the e-mail's subject and body. */
export interface Notification {
  sms: MessageKey;
  subject: MessageKey;
  mail: MessageKey;
}

/**
 * Tells a person about a change to their account (password changed, two-factor turned off, ...) on
 * their verified phone and e-mail. A notification never blocks the change it reports: a failing
 * gateway is logged (without the text) and the change stands.
 */
export class Notifier {
  constructor(
    private readonly sms: SmsSender,
    private readonly mail: MailSender,
  ) {}

  async notify(account: Account, notification: Notification, params: MessageParams = {}, locale: Locale = 'tr'): Promise<void> {
    const sends: Promise<void>[] = [];
    if (account.phone && account.phoneVerified) {
      sends.push(this.sms.send({ to: account.phone, text: translate(locale, notification.sms, params), purpose: 'notification' }));
    }
    if (account.email && account.emailVerified) {
      sends.push(
        this.mail.send({
          to: account.email,
          subject: translate(locale, notification.subject, params),
          text: translate(locale, notification.mail, params),
          purpose: 'notification',
        }),
      );
    }
    const results = await Promise.allSettled(sends);
    for (const r of results)
      if (r.status === 'rejected')
        log.warn({ notification: notification.subject, err: (r.reason as Error)?.message }, 'account notification could not be sent');
  }
}
