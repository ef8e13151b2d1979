import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import type { Services } from '../../services.js';
import type { MailSender } from '../../../adapters/mail/port.js';
import type { SmsSender } from '../../../adapters/sms/port.js';
import type { Notifier } from '../../accounts/notifier.js';
import type { IpLocator } from '../../../adapters/geoip/port.js';

/**
 * What the account pages need. `ports` grows as features arrive (SMS, mail, push, ...): each page
 * module takes what it uses from here, so adding a feature never changes another page's signature.
 */
export interface AccountDeps {
  config: Config;
  services: Services;
  provider: () => Provider;
  clientIp: (ctx: Context) => string;
  ports: AccountPorts;
}

export interface AccountPorts {
  sms: SmsSender;
  mail: MailSender;
  notifier: Notifier;
  /** The approximate place of an address (the login history); absent: places are "unknown". */
  locator?: IpLocator;
  [name: string]: unknown;
}
