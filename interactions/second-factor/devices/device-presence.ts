import type { Account } from '../../../src/accounts/account.js';
import type { DeviceRegistry } from './device-registry.js';

// "Has this person a registered device?" is asked twice when the second stage is decided: the device
// method is offered with one, the SMS method only without (sms-method.ts). The policy asks every second
// method at once (src/engine/policies.ts), so both questions are in flight together; this lets the second
// join the first's statement instead of sending its own (issue 27).
//
// Only reads of the same account object join: that object was read for one request, so no request ever
// shares another's answer. A joined read is dropped when its statement answers, so a question asked after
// an answer (after a device was added or removed, say) always sends its own statement.

export type DevicePresence = (account: Account) => Promise<boolean>;

export function devicePresence(devices: Pick<DeviceRegistry, 'hasAny'>): DevicePresence {
  const inFlight = new WeakMap<Account, Promise<boolean>>();
  return (account) => {
    const joined = inFlight.get(account);
    if (joined) return joined;
    const read = devices.hasAny(account.id).finally(() => inFlight.delete(account));
    inFlight.set(account, read);
    return read;
  };
}
