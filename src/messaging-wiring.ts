import { MailOutbox } from '../adapters/mail/outbox.js';
import type { MailSender } from '../adapters/mail/port.js';
import { SmsOutbox } from '../adapters/sms/outbox.js';
import type { SmsSender } from '../adapters/sms/port.js';
import { Notifier } from './accounts/notifier.js';
import type { Config } from './config.js';
import { KapiError } from './errors.js';

/** SMS and mail as configured: real clients in production, outboxes where simulators are allowed. */
export interface Messaging {
  sms: SmsSender;
  mail: MailSender;
  notifier: Notifier;
  /** Present when the simulators are in use (dev page, tests). */
  smsOutbox?: SmsOutbox;
  mailOutbox?: MailOutbox;
}

const unconfigured = (kind: string) => ({
  kind: 'unconfigured',
  send: async () => {
    throw new KapiError('upstream_unavailable', `no ${kind} gateway is configured`);
  },
});

export function createMessaging(config: Config): Messaging {
  const smsOutbox = config.allowSimulators ? new SmsOutbox() : undefined;
  const mailOutbox = config.allowSimulators ? new MailOutbox() : undefined;
  const sms: SmsSender = smsOutbox ?? unconfigured('SMS');
  const mail: MailSender = mailOutbox ?? unconfigured('mail');
  return { sms, mail, notifier: new Notifier(sms, mail), smsOutbox, mailOutbox };
}
