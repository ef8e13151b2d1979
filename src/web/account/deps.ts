import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import type { Services } from '../../services.js';
import type { MailSender } from '../../../adapters/mail/port.js';
import type { SmsSender } from '../../../adapters/sms/port.js';
import type { Notifier } from '../../accounts/notifier.js';
import type { IpLocator } from '../../../adapters/geoip/port.js';
import type { ModuleAccountPages } from '../../engine/module.js';
import type { MethodTraitBook } from '../../engine/traits.js';

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
  /** What each method proves (the modules' traits): rules name proofs, never method ids. */
  traits: MethodTraitBook;
  /** Pages the method modules bring (the second factors' settings), each with its navigation entry. */
  modulePages?: readonly ModuleAccountPages[];
}

export interface AccountPorts {
  sms: SmsSender;
  mail: MailSender;
  notifier: Notifier;
  /** The approximate place of an address (the login history); absent: places are "unknown". */
  locator?: IpLocator;
  [name: string]: unknown;
}
