import { defineModule, type WiredModule } from '../../src/engine/module.js';
import { mobileSignatureConfig } from './config.js';
import type { MobileSignatureWiring } from './operators.js';
import './messages.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages.test.ts).

/** Mobile signature (ETSI TS 102 204): the GSM operator asks the person's phone to sign; one method for every operator. */
export const mobileSignatureModule = defineModule({
  id: 'mobile-signature',
  configSchema: mobileSignatureConfig,
  traits: [
    {
      method: 'mobile-signature',
      label: 'method.mobile-signature',
      stage: 'first',
      amr: ['hwk', 'mca', 'pin'],
      acr: 'high',
      proves: ['signature', 'strong-without-password'],
      notMe: { advice: 'gsm_operator' },
    },
  ],
  migrations: [],
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context): Promise<WiredModule<MobileSignatureWiring>> => (await import('./wire.js')).wireMobileSignature(context),
});
