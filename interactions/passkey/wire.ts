import type { ModuleContext, WiredModule } from '../../src/engine/module.js';
import { passkeyPages } from './account/index.js';
import { Challenges, relyingParty, type RelyingParty } from './ceremony.js';
import type { PasskeyConfig } from './config.js';
import type { PasskeyStore } from './credentials.js';
import { passkeyMethod } from './method.js';
import { SqlPasskeyStore } from './sql-credentials.js';

/** What tests reach of the wired passkeys. */
export interface Passkeys {
  store: PasskeyStore;
  rp: RelyingParty;
}

export async function wirePasskeys(context: ModuleContext<PasskeyConfig>): Promise<WiredModule<Passkeys>> {
  const { config, services } = context;
  const rp = relyingParty(config.issuer);
  const store = new SqlPasskeyStore(services.db);
  const challenges = new Challenges(services.state);
  const methods = config.enabled ? [passkeyMethod({ rp, store, challenges, accounts: services.accounts, audit: services.audit })] : [];
  return {
    methods,
    routes: [],
    accountPages: config.enabled
      ? [
          {
            nav: { id: 'passkeys', href: '/account/passkeys', labelKey: 'account.nav.passkeys', after: 'security' },
            register: passkeyPages({ rp, store, challenges }),
          },
        ]
      : [],
    readiness: async () => [],
    demoHints: config.enabled
      ? [
          `Passkeys: sign in at ${config.issuer}/account with a "substantial" method (password + SMS code), add a passkey on the "Passkeys" page, then choose "Passkey" at sign-in (Chrome: localhost is a secure context).`,
        ]
      : [],
    exports: { store, rp },
    close: async () => undefined,
  };
}
