import { defineModule, type WiredModule } from '../../src/engine/module.js';
import { secondFactorConfig } from './config.js';
import * as m007 from './migrations/007_second_factors.js';
import type { SecondFactors } from './wire.js';
import './messages.js';
import './account/messages.js';
import './devices/approval-alarm.js';

// Its messages are registered with the module list, not when it is wired: every page speaks both
// languages however the module is configured (test/unit/messages.test.ts).

/**
 * The second factors (issue 7): registered device, e-Government Key (TOTP), SMS code, in that order on
 * the chooser; the device API of the mobile app and the "Two-Factor Authentication" account page.
 */
export const secondFactorModule = defineModule({
  id: 'second-factor',
  configSchema: secondFactorConfig,
  traits: [
    {
      method: 'device',
      label: 'method.device',
      stage: 'second',
      amr: ['mca', 'swk'],
      acr: 'substantial',
      proves: [],
      secondStageAmr: ['mca', 'swk'],
      notMe: { advice: 'second_factors' },
    },
    {
      method: 'totp',
      label: 'method.totp',
      stage: 'second',
      amr: ['otp'],
      acr: 'substantial',
      proves: ['asked-after-password'],
      secondStageAmr: ['otp'],
      notMe: { advice: 'second_factors' },
    },
    {
      method: 'sms',
      label: 'method.sms',
      stage: 'second',
      amr: ['sms', 'otp'],
      acr: 'substantial',
      proves: [],
      secondStageAmr: ['sms', 'otp'],
      notMe: { advice: 'second_factors' },
    },
  ],
  // Named 007 since before it moved here: knex records the name, so databases that ran it keep it.
  migrations: [m007],
  // The e-Government Key and every registered device (the phone stays a contact: the registrar lowers it).
  removeFactors: async (trx, accountId) => ({
    totp: (await trx('totp_credentials').where({ account_id: accountId }).delete(['account_id'])).length,
    devices: (await trx('registered_devices').where({ account_id: accountId }).delete(['id'])).length,
  }),
  // Loaded when wired: the module list stays light for the `kapi` command, which only migrates.
  wire: async (context): Promise<WiredModule<SecondFactors>> => (await import('./wire.js')).wireSecondFactors(context),
});
