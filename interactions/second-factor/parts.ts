import type { PushSender } from '../../adapters/push/port.js';
import type { SmsSender } from '../../adapters/sms/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { ApprovalLimits } from './devices/approval-limits.js';
import type { Approvals } from './devices/approvals.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { TotpStore } from './devices/totp.js';
import type { Method } from '../../src/engine/types.js';
import type { Limiters } from '../../src/security/limiters.js';
import { deviceMethod } from './device-method.js';
import { devicePresence } from './devices/device-presence.js';
import { StepLimits } from './limits.js';
import { smsMethod } from './sms-method.js';
import { totpMethod } from './totp-method.js';
import type { IpLocator } from '../../adapters/geoip/port.js';

export interface SecondFactorPartsDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  approvals: Approvals;
  approvalLimits: ApprovalLimits;
  totp: TotpStore;
  sms: SmsSender;
  push: PushSender;
  audit: AuditTrail;
  limiters: Limiters;
  codeKey: Buffer;
  /** The approximate place of the browser's IP, shown with each approval on the phone. */
  locator: IpLocator;
  /** Wrong codes before the step locks (tests use small numbers). Default 5. */
  guesses?: number;
}

/** The second factors (issue 7): registered device, e-Government Key (TOTP), SMS code; in that order on the chooser. */
export function secondFactorParts(deps: SecondFactorPartsDeps): { methods: Method[] } {
  const limits = new StepLimits({ limiters: deps.limiters, ...(deps.guesses ? { guesses: deps.guesses } : {}) });
  const hasDevice = devicePresence(deps.devices);
  return {
    methods: [
      deviceMethod({
        accounts: deps.accounts,
        devices: deps.devices,
        hasDevice,
        approvals: deps.approvals,
        limits: deps.approvalLimits,
        push: deps.push,
        audit: deps.audit,
        locator: deps.locator,
      }),
      totpMethod({ totp: deps.totp, limits, audit: deps.audit, accounts: deps.accounts }),
      smsMethod({ accounts: deps.accounts, devices: deps.devices, hasDevice, sms: deps.sms, limits, audit: deps.audit, codeKey: deps.codeKey }),
    ],
  };
}
