import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EtsiOperator, type EtsiOperatorSettings } from '../../adapters/mobile-operators/etsi-client.js';
import { operatorsFileSchema, type OperatorEntry, type SecretRef } from '../../adapters/mobile-operators/operator-config.js';
import { KNOWN_OPERATORS } from '../../adapters/mobile-operators/operators/index.js';
import type { MobileOperator, OperatorObserver } from '../../adapters/mobile-operators/port.js';
import { startMsspSimulator, type MsspSimulator, type SimulatedOperator } from '../../adapters/mobile-operators/simulator/server.js';
import type { TrustProfile } from '../../adapters/pki/port.js';
import type { StateStore } from '../../adapters/storage/port.js';
import { loadTrustProfile, usesTestAnchors } from '../../adapters/pki/trust-config.js';
import { createTestCa, type TestCaResponders } from '../../keys/test-ca.js';
import type { ReadinessCheck } from '../../src/engine/module.js';
import type { MobileSignatureConfig } from './config.js';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';

// The mobile-signature module's wiring: which GSM operators the mobile-signature method talks
// to. Production: the operators file (KAPI_MOBILE_OPERATORS). The embedded demo, and tests that ask for
// it (KAPI_MOBILE_SIMULATOR), get the MSSP simulator beside the server, configured as all three
// operators with a throw-away test CA; nothing past this file knows it is a simulator.

export interface WiredOperator {
  operator: MobileOperator;
  trust: TrustProfile;
  timeoutSeconds: number;
  requestTimeoutMs: number;
  /** How many characters the operator's phones show of DataToBeDisplayed (the text is fitted to it). */
  displayLimit?: number | undefined;
}

export interface MobileSignatureWiring {
  operators: WiredOperator[];
  startsPerTenMinutes: number;
  /** /readyz detail, one line per operator, from the shared health record (never a live call). */
  readiness(): Promise<ReadinessCheck[]>;
  onOutcome(operator: string, outcome: string): void;
  /** The simulator's base URL when it runs (its dev page is at /dev). */
  simulatorUrl?: string;
  close(): Promise<void>;
}

function metricsObserver(registry: Registry) {
  const requests = new Counter({
    name: 'kapi_mobile_operator_requests_total',
    help: 'TS 102 204 exchanges with GSM operators',
    labelNames: ['operator', 'operation', 'result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kapi_mobile_operator_request_duration_seconds',
    help: 'Duration of TS 102 204 exchanges',
    labelNames: ['operator', 'operation'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const up = new Gauge({
    name: 'kapi_mobile_operator_up',
    help: '1 while the operator answers (or has not failed yet), 0 while it is marked down',
    labelNames: ['operator'],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'kapi_mobile_signature_outcomes_total',
    help: 'Mobile-signature sign-in outcomes',
    labelNames: ['operator', 'outcome'],
    registers: [registry],
  });
  const observer: OperatorObserver = {
    exchange: (e) => {
      requests.inc({ operator: e.operator, operation: e.operation, result: e.result });
      duration.observe({ operator: e.operator, operation: e.operation }, e.seconds);
    },
    health: (operator, state) => up.set({ operator }, state === 'down' ? 0 : 1),
  };
  return { observer, onOutcome: (operator: string, outcome: string) => outcomes.inc({ operator, outcome }) };
}

/** A secret named by the operators file: an environment variable, or a file (relative to the operators file). */
async function secret(ref: SecretRef, env: NodeJS.ProcessEnv, what: string, baseDir: string): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new KapiError('config_invalid', `${what}: environment variable ${ref.env} is not set`);
    return value;
  }
  try {
    return (await readFile(path.resolve(baseDir, ref.file), 'utf8')).trim();
  } catch (err) {
    throw new KapiError('config_invalid', `${what}: cannot read ${ref.file}: ${(err as Error).message}`);
  }
}

async function fromEntry(
  config: MobileSignatureConfig,
  entry: OperatorEntry,
  observer: OperatorObserver,
  state: StateStore,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): Promise<WiredOperator> {
  const known = KNOWN_OPERATORS[entry.id]!;
  const file = (p: string) => path.resolve(baseDir, p);
  if (config.production && !entry.endpoint.startsWith('https://'))
    throw new KapiError('config_invalid', `mobile operator ${entry.id}: the endpoint must be https:// in production`);
  const trust = await loadTrustProfile({
    name: `mobile-signature:${entry.id}`,
    anchorFiles: entry.trustAnchors.map(file),
    intermediateFiles: entry.intermediates.map(file),
    requiredKeyUsage: ['nonRepudiation'],
    requireQualified: entry.requireQualified,
    revocation: config.smartCard.revocation,
  });
  if (usesTestAnchors(trust) && !config.allowSimulators) {
    throw new KapiError(
      'config_invalid',
      `mobile operator ${entry.id}: its trust anchors include the Kapı test CA: not allowed in production (KAPI_ALLOW_SIMULATORS)`,
    );
  }
  const settings: EtsiOperatorSettings = {
    endpoint: entry.endpoint,
    apId: entry.apId,
    apPwd: await secret(entry.apPassword, env, `mobile operator ${entry.id} apPassword`, baseDir),
    msspId: entry.msspId ?? known.defaults.msspId,
    soapVersion: entry.soapVersion ?? known.defaults.soapVersion,
    signatureProfile: entry.signatureProfile,
    mssFormat: entry.mssFormat,
    msisdnFormat: entry.msisdnFormat ?? known.defaults.msisdnFormat,
    requestTimeoutMs: entry.requestTimeoutMs,
    receipt: entry.receipt ?? known.defaults.receipt,
    observer,
    state,
  };
  if (entry.endpoints) settings.endpoints = Object.fromEntries(Object.entries(entry.endpoints).filter(([, v]) => v));
  if (entry.health)
    settings.health = {
      ...(entry.health.failuresToTrip ? { failuresToTrip: entry.health.failuresToTrip } : {}),
      ...(entry.health.coolDownSeconds ? { coolDownMs: entry.health.coolDownSeconds * 1000 } : {}),
    };
  if (entry.tlsClient) {
    const tls = entry.tlsClient;
    settings.tls = {
      cert: await readFile(file(tls.certFile)),
      key: await readFile(file(tls.keyFile)),
      ...(tls.keyPassphrase ? { passphrase: await secret(tls.keyPassphrase, env, `mobile operator ${entry.id} keyPassphrase`, baseDir) } : {}),
      ...(tls.caFile ? { ca: await readFile(file(tls.caFile)) } : {}),
    };
  }
  return {
    operator: new EtsiOperator(known.profile, settings),
    trust,
    timeoutSeconds: entry.timeoutSeconds,
    requestTimeoutMs: entry.requestTimeoutMs,
    displayLimit: entry.displayLimit,
  };
}

async function fromFile(
  config: MobileSignatureConfig,
  filePath: string,
  observer: OperatorObserver,
  state: StateStore,
  env: NodeJS.ProcessEnv,
): Promise<{ operators: WiredOperator[]; startsPerTenMinutes: number }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(filePath, 'utf8'));
  } catch (err) {
    throw new KapiError('config_invalid', `KAPI_MOBILE_OPERATORS ${filePath}: ${(err as Error).message}`);
  }
  const parsed = operatorsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new KapiError(
      'config_invalid',
      `KAPI_MOBILE_OPERATORS ${filePath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const wired: WiredOperator[] = [];
  try {
    for (const entry of parsed.data.operators.filter((o) => o.enabled))
      wired.push(await fromEntry(config, entry, observer, state, env, path.dirname(filePath)));
  } catch (err) {
    for (const { operator } of wired) operator.close?.();
    throw err;
  }
  return { operators: wired, startsPerTenMinutes: parsed.data.startsPerTenMinutes };
}

/** The demo: the simulator plays all three operators, signing with a fresh test CA whose OCSP/CRL run on a free port. */
async function withSimulator(
  config: MobileSignatureConfig,
  observer: OperatorObserver,
  state: StateStore,
): Promise<{ operators: WiredOperator[]; simulator: MsspSimulator; responders: TestCaResponders } | undefined> {
  const ca = await createTestCa({ name: 'Kapi MSSP Demo' });
  const responders = await ca.startResponders();
  const apPwd = randomBytes(16).toString('base64url');
  const profile = 'http://kapi.demo/mobile-signature/profile/login';
  const simulated: Record<string, SimulatedOperator> = {};
  for (const [id, known] of Object.entries(KNOWN_OPERATORS)) {
    simulated[id] = {
      apId: `http://kapi.demo/ap/${id}`,
      apPwd,
      msspId: known.defaults.msspId,
      signatureProfile: profile,
      msisdnFormat: known.defaults.msisdnFormat,
    };
  }
  const listenHost = config.host;
  let simulator: MsspSimulator;
  try {
    simulator = await startMsspSimulator({ ca, operators: simulated, port: config.mobileSignature.simulatorPort, host: listenHost });
  } catch (err) {
    await responders.close();
    log.warn({ err }, 'the MSSP simulator could not start: mobile signature is off');
    return undefined;
  }
  const port = new URL(simulator.url).port;
  const callHost = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost;
  const operators = Object.entries(KNOWN_OPERATORS).map(([id, known]) => {
    const settings: EtsiOperatorSettings = {
      endpoint: `http://${callHost}:${port}/${id}`,
      apId: simulated[id]!.apId,
      apPwd,
      msspId: known.defaults.msspId,
      soapVersion: known.defaults.soapVersion,
      signatureProfile: profile,
      msisdnFormat: known.defaults.msisdnFormat,
      requestTimeoutMs: 5000,
      receipt: known.defaults.receipt,
      observer,
      state,
    };
    const trust: TrustProfile = {
      name: `mobile-signature:${id}`,
      anchors: [ca.rootDer],
      intermediates: [ca.intermediateDer],
      requiredKeyUsage: ['nonRepudiation'],
      requireQualified: true,
      revocation: config.smartCard.revocation,
    };
    return { operator: new EtsiOperator(known.profile, settings), trust, timeoutSeconds: 120, requestTimeoutMs: 5000 };
  });
  return { operators, simulator, responders };
}

/**
 * `state` is where the operators' health lives: the state store every process of the deployment shares,
 * so an operator one process found down is shown as unavailable by all of them.
 */
export async function mobileSignatureWiring(
  config: MobileSignatureConfig,
  registry: Registry,
  state: StateStore,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MobileSignatureWiring> {
  const { observer, onOutcome } = metricsObserver(registry);
  let operators: WiredOperator[] = [];
  let startsPerTenMinutes = 5;
  let simulator: MsspSimulator | undefined;
  let responders: TestCaResponders | undefined;
  if (config.mobileSignature.operatorsFile) {
    ({ operators, startsPerTenMinutes } = await fromFile(config, config.mobileSignature.operatorsFile, observer, state, env));
  } else if (config.mobileSignature.simulator) {
    if (!config.allowSimulators) throw new KapiError('config_invalid', 'the MSSP simulator is not allowed in production (KAPI_ALLOW_SIMULATORS)');
    const started = await withSimulator(config, observer, state);
    if (started) ({ operators, simulator, responders } = started);
  }
  const wiring: MobileSignatureWiring = {
    operators,
    startsPerTenMinutes,
    onOutcome,
    async readiness() {
      return Promise.all(
        operators.map(async ({ operator }) => {
          const health = await operator.health();
          // A down operator is reported, but does not make Kapı unready: every other method still works,
          // and taking every Kapı process out of the load balancer would not bring the operator back.
          const check: ReadinessCheck = { name: `mobile-operator:${operator.id}`, ok: true, state: health.state };
          if (health.state === 'down') check.error = `marked down after ${health.consecutiveFailures} failures: ${health.lastError ?? ''}`.trim();
          return check;
        }),
      );
    },
    async close() {
      for (const { operator } of operators) operator.close?.();
      await simulator?.close();
      await responders?.close();
    },
  };
  if (simulator) wiring.simulatorUrl = simulator.url;
  return wiring;
}
