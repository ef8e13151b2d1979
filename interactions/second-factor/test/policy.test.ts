import { describe, expect, it } from '@jest/globals';
import type { Account } from '../../../src/accounts/account.js';
import { decide } from '../../../src/engine/policies.js';
import type { CompletedMethod, Flow, Method } from '../../../src/engine/types.js';
import { POLICIES } from '../../index.js';

// The two-factor policy composed with the first-factor and step-up policies.

const method = (id: string, factor: 'first' | 'second', acr: 'low' | 'substantial' | 'high', usable = true): Method => ({
  id,
  factor,
  acr,
  amr: [],
  labelKey: 'method.password',
  usableBy: () => usable,
  start: async () => ({ kind: 'prompt', view: '' }),
  continue: async () => ({ kind: 'prompt', view: '' }),
});

const account = (over: Partial<Account> = {}): Account => ({
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
  twoFactorEnabled: false,
  ...over,
});

const done = (id: string, factor: 'first' | 'second', acr: 'low' | 'substantial' | 'high', amr: string[] = []): CompletedMethod => ({
  method: id,
  factor,
  acr,
  amr,
  at: 0,
});
const flow = (completed: CompletedMethod[], requiredAcr?: 'low' | 'substantial' | 'high'): Flow => ({
  csrf: '',
  locale: 'tr',
  requiredAcr,
  completed,
  accountId: 'a',
});
const client = { clientId: 'c', name: 'C', minimumAcr: undefined };

describe('two-factor policy', () => {
  const password = method('password', 'first', 'low');
  const esign = method('e-signature', 'first', 'high');
  const sms = method('sms', 'second', 'substantial');
  const totp = (usable: boolean) => method('totp', 'second', 'substantial', usable);

  it('asks nothing more when two-factor authentication is off and no level is asked for', async () => {
    const d = await decide(
      { flow: flow([done('password', 'first', 'low')]), account: account(), client, requiredAcr: undefined, methods: [password, sms, totp(false)] },
      POLICIES,
    );
    expect(d).toEqual({ kind: 'satisfied', acr: 'low' });
  });

  it('asks for a second stage after every first method when it is on, even after e-signature', async () => {
    for (const first of [done('password', 'first', 'low'), done('e-signature', 'first', 'high')]) {
      const d = await decide(
        { flow: flow([first]), account: account({ twoFactorEnabled: true }), client, requiredAcr: undefined, methods: [password, esign, sms, totp(false)] },
        POLICIES,
      );
      expect(d.kind).toBe('next');
      expect(d.kind === 'next' && d.methods.map((m) => m.id)).toEqual(['sms']);
    }
  });

  it('asks for the e-Government Key after a password login even with two-factor authentication off', async () => {
    const d = await decide(
      { flow: flow([done('password', 'first', 'low')]), account: account(), client, requiredAcr: undefined, methods: [password, esign, sms, totp(true)] },
      POLICIES,
    );
    expect(d.kind === 'next' && d.methods.map((m) => m.id)).toEqual(['sms', 'totp']);
    const afterSignature = await decide(
      { flow: flow([done('e-signature', 'first', 'high')]), account: account(), client, requiredAcr: undefined, methods: [password, esign, sms, totp(true)] },
      POLICIES,
    );
    expect(afterSignature).toEqual({ kind: 'satisfied', acr: 'high' });
  });

  it('never asks for two second stages, also when continuing a session that had one', async () => {
    const d = await decide(
      {
        flow: flow([done('password', 'first', 'low'), done('sms', 'second', 'substantial')]),
        account: account({ twoFactorEnabled: true }),
        client,
        requiredAcr: undefined,
        methods: [password, sms, totp(true)],
      },
      POLICIES,
    );
    expect(d).toEqual({ kind: 'satisfied', acr: 'substantial' });
    const stepUp = await decide(
      {
        flow: flow([done('session', 'first', 'substantial', ['pwd', 'otp']), done('e-signature', 'first', 'high')], 'high'),
        account: account({ twoFactorEnabled: true }),
        client,
        requiredAcr: 'high',
        methods: [password, esign, sms],
      },
      POLICIES,
    );
    expect(stepUp).toEqual({ kind: 'satisfied', acr: 'high' });
  });

  it('raises low to substantial when the level asked for needs it, and refuses when nothing is enrolled', async () => {
    const d = await decide(
      {
        flow: flow([done('password', 'first', 'low')], 'substantial'),
        account: account(),
        client,
        requiredAcr: 'substantial',
        methods: [password, sms, totp(false)],
      },
      POLICIES,
    );
    expect(d.kind === 'next' && d.methods.map((m) => m.id)).toEqual(['sms']);
    const none = await decide(
      {
        flow: flow([done('password', 'first', 'low')]),
        account: account({ twoFactorEnabled: true, phoneVerified: false }),
        client,
        requiredAcr: undefined,
        methods: [password, method('sms', 'second', 'substantial', false)],
      },
      POLICIES,
    );
    expect(none).toEqual({ kind: 'deny', code: 'second_factor_unavailable' });
  });
});
