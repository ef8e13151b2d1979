import { HttpPushGateway } from '../../adapters/push/http-gateway.js';
import { PushOutbox } from '../../adapters/push/outbox.js';
import type { PushSender } from '../../adapters/push/port.js';
import { SqlDeviceRegistry } from '../../adapters/sql/device-registry.js';
import { SqlTotpStore } from '../../adapters/sql/totp-store.js';
import { readEnrolment } from '../../adapters/sql/enrolment.js';
import type { ModuleContext, WiredModule } from '../../src/engine/module.js';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';
import { secondFactorPages } from './account/index.js';
import type { SecondFactorConfig } from './config.js';
import { ensureDeviceAppClient } from './device-api/client.js';
import { deviceApiRouter } from './device-api/routes.js';
import { approvalAlarm } from './devices/approval-alarm.js';
import { ApprovalLimits } from './devices/approval-limits.js';
import { Approvals } from './devices/approvals.js';
import { DeviceProofs } from './devices/proofs.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { TotpStore } from './devices/totp.js';
import { secondFactorParts } from './parts.js';

// The second factors' wiring (issue 7): the push port, the device
// registry, approvals, the e-Government Key, their login methods, the device API and the account page.

/** What tests and the dev tools reach of the wired second factors. */
export interface SecondFactors {
  devices: DeviceRegistry;
  totp: TotpStore;
  approvals: Approvals;
  push: PushSender;
  /** Present when the push simulator is in use (dev, tests, `kapi-device` against a dev server). */
  pushOutbox: PushOutbox | undefined;
}

export async function wireSecondFactors(context: ModuleContext<SecondFactorConfig>): Promise<WiredModule<SecondFactors>> {
  const { config, services, ports } = context;
  const pushOutbox = !config.push && config.allowSimulators ? new PushOutbox() : undefined;
  const push: PushSender = config.push
    ? new HttpPushGateway(config.push)
    : (pushOutbox ?? {
        kind: 'unconfigured',
        send: async () => {
          throw new KapiError('upstream_unavailable', 'no push gateway is configured');
        },
      });
  if (push.kind === 'unconfigured')
    log.warn('no push gateway configured (KAPI_PUSH_GATEWAY_URL): registered devices see approvals in the app list and by QR code only');
  const devices = new SqlDeviceRegistry(services.db, services.sealer);
  const totp = new SqlTotpStore(services.db, services.sealer);
  const approvals = new Approvals(services.state);
  const approvalLimits = new ApprovalLimits(services.limiters, config.limits.approvals);
  const proofs = new DeviceProofs(devices, services.state, config.clockToleranceSeconds);
  const guesses = config.limits.secondFactorGuesses;
  const parts = secondFactorParts({
    accounts: services.accounts,
    devices,
    approvals,
    approvalLimits,
    totp,
    enrolment: (accountId) => readEnrolment(services.db, accountId),
    sms: ports.sms,
    push,
    audit: services.audit,
    limiters: services.limiters,
    codeKey: context.key('second-factor-codes'),
    locator: ports.locator,
    ...(guesses ? { guesses } : {}),
  });
  await ensureDeviceAppClient(services.clients, config.issuer);
  const limiter = services.limiters.counter({ name: 'device-api', points: 120, durationSeconds: 60, blockSeconds: 60 });
  const router = deviceApiRouter({
    issuer: config.issuer,
    provider: context.provider,
    state: services.state,
    accounts: services.accounts,
    devices,
    approvals,
    proofs,
    audit: services.audit,
    notifier: ports.notifier,
    limiter,
    clientIp: context.clientIp,
    clockToleranceSeconds: config.clockToleranceSeconds,
    revocations: services.revocations,
    sessions: services.sessions,
    onRefused: approvalAlarm({ approvals, limits: approvalLimits, accounts: services.accounts, devices, push, notifier: ports.notifier }),
  });
  return {
    methods: parts.methods,
    routes: [router],
    accountPages: [
      {
        nav: { id: 'second_factors', href: '/account/second-factors', labelKey: 'account.nav.second_factors', after: 'security' },
        register: secondFactorPages({ devices, totp }),
      },
    ],
    readiness: async () => [],
    demoHints: [],
    exports: { devices, totp, approvals, push, pushOutbox },
    close: async () => undefined,
  };
}
