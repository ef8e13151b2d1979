import { MailOutbox } from '../adapters/mail/outbox.js';
import type { MailSender } from '../adapters/mail/port.js';
import { SmtpMailer } from '../adapters/mail/smtp.js';
import { HttpSmsGateway } from '../adapters/sms/http-gateway.js';
import { SmsOutbox } from '../adapters/sms/outbox.js';
import type { SmsSender } from '../adapters/sms/port.js';
import { Notifier } from './accounts/notifier.js';
import type { Config } from './config.js';
import { KapiError } from './errors.js';
import { log } from './log.js';

/** SMS and mail as configured: real clients in production, outboxes where simulators are allowed. */
export interface Messaging {
  sms: SmsSender;
  mail: MailSender;
  notifier: Notifier;
  /** Present when the simulators are in use (dev page, tests). */
  smsOutbox?: SmsOutbox;
  mailOutbox?: MailOutbox;
  close(): void;
}

const unconfigured = (kind: string) => ({
  kind: 'unconfigured',
  send: async () => {
    throw new KapiError('upstream_unavailable', `no ${kind} gateway is configured`);
  },
});

/**
 * A configured gateway always wins (so a developer can try the real one); without one, the outbox
 * where simulators are allowed. Production without a gateway starts (password login, signatures and
 * every institution keep working) but cannot send codes: contact verification and password reset
 * answer "the service is unavailable" and notifications are dropped; a warning says so at start-up.
 */
export function createMessaging(config: Config): Messaging {
  const { sms: smsConfig, smtp } = config.messaging;
  const smsOutbox = !smsConfig && config.allowSimulators ? new SmsOutbox() : undefined;
  const mailOutbox = !smtp && config.allowSimulators ? new MailOutbox() : undefined;
  const gateway = smsConfig ? new HttpSmsGateway(smsConfig) : undefined;
  const mailer = smtp ? new SmtpMailer(smtp) : undefined;
  const sms: SmsSender = gateway ?? smsOutbox ?? unconfigured('SMS');
  const mail: MailSender = mailer ?? mailOutbox ?? unconfigured('mail');
  if (sms.kind === 'unconfigured') log.warn('no SMS gateway configured (KAPI_SMS_GATEWAY_URL): phone verification and password reset are unavailable');
  if (mail.kind === 'unconfigured') log.warn('no SMTP server configured (KAPI_SMTP_HOST): e-mail verification is unavailable');
  return {
    sms,
    mail,
    notifier: new Notifier(sms, mail),
    smsOutbox,
    mailOutbox,
    close: () => mailer?.close(),
  };
}
