import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import type { Services } from '../../services.js';

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

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AccountPorts {
  [name: string]: unknown;
}
