import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.js';
import type { OperatorServices } from '../../operators/index.js';
import type { Services } from '../../services.js';

/** What the operator console needs: the services the `kapi` command uses, and the provider (sign-in). */
export interface ConsoleDeps {
  config: Config;
  services: Services;
  operators: OperatorServices;
  provider: () => Provider;
  /** The console's origin (loopback, the admin port), known once the admin listener listens. */
  origin: () => string;
  /** Tells running servers that the signing keys changed (src/app.ts announceKeyChange). */
  announceKeys: () => Promise<void>;
  clientIp: (ctx: Context) => string;
}
