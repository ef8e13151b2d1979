import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { HttpPushGateway } from '../adapters/push/http-gateway.js';
import { PushOutbox } from '../adapters/push/outbox.js';
import type { PushSender } from '../adapters/push/port.js';
import type { SmsSender } from '../adapters/sms/port.js';
import { secondFactorModule } from '../interactions/second-factor/index.js';
import type { Notifier } from './accounts/notifier.js';
import type { Config } from './config.js';
import { Approvals } from './devices/approvals.js';
import { approvalAlarm } from './devices/approval-alarm.js';
import { ApprovalLimits, type ApprovalLimitOptions } from './devices/approval-limits.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { DeviceProofs } from './devices/proofs.js';
import { TotpStore } from './devices/totp.js';
import { KapiError } from './errors.js';
import type { Method } from './engine/types.js';
import { log } from './log.js';
import { deriveKey } from './security/crypto.js';
import type { Services } from './services.js';
import { ensureDeviceAppClient } from './web/device-api/client.js';
import { deviceApiRouter } from './web/device-api/routes.js';
import { CidrPlaceTable, localOnly } from '../adapters/geoip/cidr-table.js';
import type { IpLocator } from '../adapters/geoip/port.js';

// Part of the composition root: the second factors (issue 7) — the push port, the device registry,
// approvals, the e-Government Key, their login methods and the device API.

export interface SecondFactors {
  methods: Method[];
  router: Router;
  devices: DeviceRegistry;
  totp: TotpStore;
  approvals: Approvals;
  push: PushSender;
  /** Present when the push simulator is in use (dev, tests, `kapi-device` against a dev server). */
  pushOutbox: PushOutbox | undefined;
}

export interface SecondFactorOptions {
  /** Wrong codes before the SMS/TOTP step locks (KAPI_SECOND_FACTOR_GUESSES; tests use small numbers). */
  guesses?: number | undefined;
  /** Device approvals per sign-in and account, and the lock after a refusal (KAPI_APPROVAL*). */
  approvals?: ApprovalLimitOptions;
}

export async function secondFactorWiring(
  config: Config,
  services: Services,
  ports: { sms: SmsSender; notifier: Notifier; provider: () => Provider; clientIp: (ctx: Context) => string; locator?: IpLocator },
  options: SecondFactorOptions = {},
): Promise<SecondFactors> {
  const pushOutbox = !config.push && config.allowSimulators ? new PushOutbox() : undefined;
  const push: PushSender = config.push
    ? new HttpPushGateway(config.push)
    : pushOutbox ?? {
        kind: 'unconfigured',
        send: async () => {
          throw new KapiError('upstream_unavailable', 'no push gateway is configured');
        },
      };
  if (push.kind === 'unconfigured') log.warn('no push gateway configured (KAPI_PUSH_GATEWAY_URL): registered devices see approvals in the app list and by QR code only');
  const devices = new DeviceRegistry(services.db, services.sealer);
  const totp = new TotpStore(services.db, services.sealer);
  const approvals = new Approvals(services.state);
  const approvalLimits = new ApprovalLimits(services.limiters, options.approvals);
  const proofs = new DeviceProofs(devices, services.state, config.clockToleranceSeconds);
  const module = secondFactorModule({
    accounts: services.accounts, devices, approvals, approvalLimits, totp, sms: ports.sms, push, audit: services.audit,
    limiters: services.limiters, codeKey: deriveKey(config.masterKey, 'second-factor-codes'),
    locator: ports.locator ?? (config.geoipFile ? CidrPlaceTable.fromFile(config.geoipFile) : localOnly), ...(options.guesses ? { guesses: options.guesses } : {}),
  });
  await ensureDeviceAppClient(services.clients, config.issuer);
  const limiter = services.limiters.counter({ name: 'device-api', points: 120, durationSeconds: 60, blockSeconds: 60 });
  const router = deviceApiRouter({
    issuer: config.issuer, provider: ports.provider, state: services.state, accounts: services.accounts, devices, approvals, proofs,
    audit: services.audit, notifier: ports.notifier, limiter, clientIp: ports.clientIp, clockToleranceSeconds: config.clockToleranceSeconds,
    revocations: services.revocations, sessions: services.sessions,
    onRefused: approvalAlarm({ approvals, limits: approvalLimits, accounts: services.accounts, devices, push, notifier: ports.notifier }),
  });
  return { methods: module.methods, router, devices, totp, approvals, push, pushOutbox };
}
