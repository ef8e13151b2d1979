import { defineModule } from '../../src/engine/module.js';
import { smartCardConfig } from './config.js';
import './messages.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages.test.ts).

/**
 * e-Signature and the ID card (a PKCS#11 card signed through the citizen's `kapi-signer`): each offered
 * when its trust anchors are configured (or on the embedded demo, with the demo test CA).
 */
export const smartCardModule = defineModule({
  id: 'smart-card',
  configSchema: smartCardConfig,
  traits: [
    {
      method: 'e-signature',
      label: 'method.e-signature',
      stage: 'first',
      amr: ['hwk', 'sc', 'pin'],
      acr: 'high',
      proves: ['signature', 'strong-without-password'],
      notMe: { advice: 'certificate_provider' },
    },
    {
      method: 'id-card',
      label: 'method.id-card',
      stage: 'first',
      amr: ['hwk', 'sc', 'pin'],
      acr: 'high',
      proves: ['strong-without-password'],
      notMe: { advice: 'id_card' },
    },
  ],
  migrations: [],
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context) => (await import('./wire.js')).wireSmartCard(context),
});
