import { defineModule, type WiredModule } from '../../src/engine/module.js';
import { passkeyConfig } from './config.js';
import * as m001 from './migrations/passkey_001_credentials.js';
import type { Passkeys } from './wire.js';
import './messages.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages-complete.test.ts).

/**
 * Passkeys (WebAuthn; issue 21 point 5): a discoverable first-stage credential at `substantial` (NIST SP
 * 800-63B-4: a user-verifying passkey is an AAL2 authenticator), amr per RFC 8176 from the ceremony
 * (`hwk` or `swk`, then `pin`); registered and removed on the account's "Passkeys" page.
 */
export const passkeyModule = defineModule({
  id: 'passkey',
  configSchema: passkeyConfig,
  traits: [
    {
      method: 'passkey',
      label: 'method.passkey',
      stage: 'first',
      amr: ['hwk', 'swk', 'pin', 'user'],
      acr: 'substantial',
      proves: [],
      integrators: {
        amr: 'one of `hwk` (a passkey bound to one device) or `swk` (a synced one), with `pin` (the person verified on the authenticator; Kapı requires it)',
      },
    },
  ],
  migrations: [m001],
  removeFactors: async (trx, accountId) => ({ passkeys: (await trx('passkey_credentials').where({ account_id: accountId }).delete(['id'])).length }),
  staticFiles: ['passkey.js'],
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context): Promise<WiredModule<Passkeys>> => (await import('./wire.js')).wirePasskeys(context),
});
