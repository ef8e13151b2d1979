import { defineModule, type WiredModule } from '../../src/engine/module.js';
import { passkeyConfig } from './config.js';
import * as m001 from './migrations/passkey_001_credentials.js';
import { SqlPasskeyStore } from './sql-credentials.js';
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
      // "This wasn't me" on a passkey sign-in: that passkey is removed (whoever holds it can no longer
      // sign in with it), and the person is told to delete it where it lives and where it syncs.
      notMe: {
        disowned: {
          will: 'passkey.not_me.will',
          done: 'passkey.not_me.done',
          next: ['passkey.not_me.next.device', 'passkey.not_me.next.synced', 'passkey.not_me.next.new'],
          addedSince: { will: 'passkey.not_me.added_will', done: 'passkey.not_me.added_done' },
        },
      },
      integrators: {
        amr: 'one of `hwk` (a passkey bound to one device) or `swk` (a synced one), with `pin` (the person verified on the authenticator; Kapı requires it)',
      },
    },
  ],
  migrations: [m001],
  removeFactors: async (trx, accountId) => ({ passkeys: (await trx('passkey_credentials').where({ account_id: accountId }).delete(['id'])).length }),
  // Only the account's own passkey with that id: the sign-in record names Kapı's id of the passkey whose
  // signature was verified (method.ts), never the credential or user handle the browser sent.
  disownCredential: (trx, accountId, credential) => new SqlPasskeyStore(trx).remove(accountId, credential, trx),
  // ...and every passkey added since that sign-in, whatever method it used: whoever made it could add a
  // passkey of their own (a passkey or password + SMS sign-in is fresh and substantial, the add rule), which
  // would sign them in again after every session has ended. Hers added since go too; the page says so.
  credentialsAddedSince: (db, accountId, since) => new SqlPasskeyStore(db).addedSince(accountId, since),
  staticFiles: ['passkey.js'],
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context): Promise<WiredModule<Passkeys>> => (await import('./wire.js')).wirePasskeys(context),
});
