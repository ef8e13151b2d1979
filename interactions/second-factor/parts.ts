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
import { enrolmentOf, type EnrolmentReader } from './devices/enrolment.js';
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
  /** The enrolment in one read (adapters/sql/enrolment.ts); the two stores' reads when absent. */
  enrolment?: EnrolmentReader;
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
  // One read of the enrolment answers the three methods' usableBy (devices/enrolment.ts); without a reader
  // of its own (tests' stores), the two stores' reads, sent together.
  const read: EnrolmentReader =
    deps.enrolment ??
    (async (accountId) => {
      const [device, totp] = await Promise.all([deps.devices.hasAny(accountId), deps.totp.isActive(accountId)]);
      return { device, totp };
    });
  const enrolment = enrolmentOf(read);
  return {
    methods: [
      deviceMethod({
        accounts: deps.accounts,
        devices: deps.devices,
        enrolment,
        approvals: deps.approvals,
        limits: deps.approvalLimits,
        push: deps.push,
        audit: deps.audit,
        locator: deps.locator,
      }),
      totpMethod({ totp: deps.totp, enrolment, limits, audit: deps.audit, accounts: deps.accounts }),
      smsMethod({ accounts: deps.accounts, devices: deps.devices, enrolment, sms: deps.sms, limits, audit: deps.audit, codeKey: deps.codeKey }),
    ],
  };
}
