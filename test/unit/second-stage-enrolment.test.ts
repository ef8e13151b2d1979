import { describe, expect, it } from '@jest/globals';
import type { Account } from '../../src/accounts/account.js';
import { decide } from '../../src/engine/policies.js';
import type { Flow, Method } from '../../src/engine/types.js';
import { enrolmentOf } from '../../interactions/second-factor/devices/enrolment.js';
import { secondFactorParts } from '../../interactions/second-factor/parts.js';
import { POLICIES } from '../../interactions/index.js';

// Issue 27: when the second stage is decided, the device, TOTP and SMS methods each ask what the person is
// enrolled in; one read answers them all, and it is shared only within one read of the account.

function counting(answer = false) {
  const asked: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    asked,
    release: () => release(),
    read: async (accountId: string) => {
      asked.push(accountId);
      await gate;
      return { device: answer, totp: false };
    },
  };
}

const account = (id = 'a1'): Account => ({
  id,
  nationalId: '10000000146',
  nationalIdType: 'citizen',
  givenName: 'Ayşe',
  familyName: 'Yılmaz',
  birthdate: null,
  email: null,
  emailVerified: false,
  phone: '+905321112233',
  phoneVerified: true,
  phoneVerifiedAcr: 'registry',
  address: null,
  passwordLoginEnabled: true,
  bankLoginEnabled: true,
  twoFactorEnabled: true,
});

describe('second-stage enrolment read during one decision', () => {
  it('joins overlapping questions about the same account object into one read', async () => {
    const store = counting(true);
    const has = enrolmentOf(store.read);
    const person = account();
    const both = Promise.all([has(person), has(person)]);
    store.release();
    expect((await both).map((e) => e.device)).toEqual([true, true]);
    expect(store.asked).toEqual(['a1']);
  });

  it('never shares an answer between two reads of the account (two requests), nor after it came back', async () => {
    const store = counting(false);
    const has = enrolmentOf(store.read);
    store.release();
    await Promise.all([has(account()), has(account())]);
    expect(store.asked).toHaveLength(2);
    const person = account();
    await has(person);
    await has(person); // asked after the first answer (a device may have been added meanwhile): asked again
    expect(store.asked).toHaveLength(4);
  });

  it('asks once when the policy offers the second stage after a password', async () => {
    const store = counting(false);
    store.release();
    const { methods: seconds } = secondFactorParts({
      devices: {} as never,
      totp: {} as never,
      enrolment: store.read,
      accounts: {} as never,
      approvals: {} as never,
      approvalLimits: {} as never,
      sms: {} as never,
      push: {} as never,
      audit: {} as never,
      limiters: { kind: 'memory', counter: () => ({}) as never } as never,
      codeKey: Buffer.alloc(32),
      locator: {} as never,
    });
    const password = { id: 'password', factor: 'first', acr: 'low', amr: ['pwd'], labelKey: 'method.password' } as unknown as Method;
    const flow: Flow = {
      csrf: 'x',
      locale: 'tr',
      requiredAcr: undefined,
      accountId: 'a1',
      completed: [{ method: 'password', factor: 'first', at: 0, amr: ['pwd'], acr: 'low' }],
    };
    const decision = await decide(
      { flow, account: account(), client: { clientId: 'c', name: 'C', minimumAcr: undefined }, requiredAcr: undefined, methods: [password, ...seconds] },
      POLICIES,
    );
    expect(decision.kind === 'next' && decision.methods.map((m) => m.id)).toEqual(['sms']);
    expect(store.asked).toEqual(['a1']);
  });
});
