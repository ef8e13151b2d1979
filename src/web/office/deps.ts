import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import type { RegistrarService } from '../../registrar/service.js';
import type { Services } from '../../services.js';

/** What the registrar console needs: the registrar service (the API's and the CLI's) and Kapı's session. */
export interface OfficeDeps {
  config: Config;
  services: Services;
  provider: () => Provider;
  service: RegistrarService;
  clientIp: (ctx: Context) => string;
}
