import { defineModule, type WiredModule } from '../../src/engine/module.js';
import type { BankingSetup } from './bank-file.js';
import { bankingConfig } from './config.js';
import './messages.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages.test.ts).

export type { BankEntry, BankAssurance, BankLogo } from './banks.js';

/** Online banking: the person signs in at her bank (OpenID Connect federation); the bank's level sets the acr. */
export const bankingModule = defineModule({
  id: 'banking',
  configSchema: bankingConfig,
  traits: [
    {
      method: 'banking',
      label: 'method.banking',
      stage: 'first',
      amr: ['fed'],
      acr: 'substantial',
      proves: ['strong-without-password'],
      notMe: { closes: 'bank_login' },
      integrators: {
        level: "at most `substantial`: lower when the bank's acr maps lower or its amr shows a password alone (README, Online banking)",
        amr: '`fed`, then the values the bank reported',
      },
    },
  ],
  migrations: [],
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context): Promise<WiredModule<BankingSetup>> => (await import('./wire.js')).wireBanking(context),
});
