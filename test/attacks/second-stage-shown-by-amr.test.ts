import { describe, expect, it } from '@jest/globals';
import type { Account } from '../../src/accounts/account.js';
import { decide } from '../../src/engine/policies.js';
import type { CompletedMethod, Flow, Method } from '../../src/engine/types.js';
import { POLICIES } from '../../interactions/index.js';

// A continued session shows that it did a second stage by the amr values only a second stage earns
// together. Each value alone also comes from first stages: `swk` from a synced passkey, `mca` from a
// mobile signature or a bank. Taken one at a time, a session signed in with a synced passkey alone would
// pass for one that did the device approval, and a person who then turned two-factor on (that session
// survives the change) would be signed in to institutions without her second stage.

const method = (id: string, factor: 'first' | 'second', acr: 'low' | 'substantial' | 'high'): Method => ({
  id,
  factor,
  acr,
  amr: [],
  labelKey: 'method.password',
  usableBy: () => true,
  start: async () => ({ kind: 'prompt', view: '' }),
  continue: async () => ({ kind: 'prompt', view: '' }),
});
const account: Account = {
  id: 'a',
  nationalId: '10000000146',
  nationalIdType: 'citizen',
  givenName: 'A',
  familyName: 'B',
  birthdate: null,
  email: null,
  emailVerified: false,
  phone: '+905321112233',
  phoneVerified: true,
  address: null,
  passwordLoginEnabled: true,
  bankLoginEnabled: true,
  twoFactorEnabled: true,
};
const continued = (amr: string[], acr: 'low' | 'substantial' | 'high'): CompletedMethod => ({ method: 'session', factor: 'first', acr, amr, at: 0 });
const flow = (completed: CompletedMethod[]): Flow => ({ csrf: '', locale: 'tr', requiredAcr: undefined, completed, accountId: 'a' });
const client = { clientId: 'c', name: 'C', minimumAcr: undefined };
const methods = [method('passkey', 'first', 'substantial'), method('device', 'second', 'substantial'), method('sms', 'second', 'substantial')];
const decision = (amr: string[], acr: 'low' | 'substantial' | 'high') =>
  decide({ flow: flow([continued(amr, acr)]), account, client, requiredAcr: undefined, methods }, POLICIES);

describe("attacks: a first stage's amr never passes for a second stage (two-factor on)", () => {
  it('a session from a synced passkey alone (swk, pin) is asked for the second stage', async () => {
    expect((await decision(['swk', 'pin'], 'substantial')).kind).toBe('next');
  });

  it('a session from a mobile signature alone (hwk, mca, pin) is asked for the second stage', async () => {
    expect((await decision(['hwk', 'mca', 'pin'], 'high')).kind).toBe('next');
  });

  it('a session that did the device approval (mca and swk), the SMS code or the e-Government Key is not asked again', async () => {
    for (const amr of [
      ['pwd', 'mca', 'swk'],
      ['pwd', 'sms', 'otp'],
      ['pwd', 'otp'],
    ])
      expect((await decision(amr, 'substantial')).kind).toBe('satisfied');
  });
});
