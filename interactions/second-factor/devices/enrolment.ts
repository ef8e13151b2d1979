import type { Account } from '../../../src/accounts/account.js';

// What a person is enrolled in for a second stage: a registered device, an active e-Government Key. When
// the second stage is decided the policy asks every second method at once (src/engine/policies.ts); the
// device and SMS methods both ask about devices, the TOTP method about the key. They share one read of
// both (issue 27: one statement, adapters/sql/enrolment.ts, where two or three were sent).
//
// Only questions about the same account object share a read, and only while it is in flight: that
// object was read for one request, so no request ever takes another's answer, and a question asked after
// the answer came back (after a device was added or removed, say) sends its own.

export interface Enrolment {
  device: boolean;
  totp: boolean;
}

/** One read of a person's second-stage enrolment, by account id. */
export type EnrolmentReader = (accountId: string) => Promise<Enrolment>;

export type EnrolmentOf = (account: Account) => Promise<Enrolment>;

export function enrolmentOf(read: EnrolmentReader): EnrolmentOf {
  const inFlight = new WeakMap<Account, Promise<Enrolment>>();
  return (account) => {
    const joined = inFlight.get(account);
    if (joined) return joined;
    const reading = read(account.id).finally(() => inFlight.delete(account));
    inFlight.set(account, reading);
    return reading;
  };
}
