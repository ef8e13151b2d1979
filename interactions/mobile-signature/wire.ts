import { PkiValidator } from '../../adapters/pki/validator.js';
import type { ModuleContext, WiredModule } from '../../src/engine/module.js';
import type { MobileSignatureConfig } from './config.js';
import { mobileSignatureWiring, type MobileSignatureWiring } from './operators.js';
import { mobileSignatureParts } from './parts.js';

export async function wireMobileSignature(context: ModuleContext<MobileSignatureConfig>): Promise<WiredModule<MobileSignatureWiring>> {
  const { config, services } = context;
  // The operators' health lives in the state store every process shares (operators.ts).
  const wiring = await mobileSignatureWiring(config, context.metrics, services.state);
  const parts = mobileSignatureParts({
    state: services.state,
    limiters: services.limiters,
    accounts: services.accounts,
    registry: services.registry,
    audit: services.audit,
    validator: new PkiValidator(),
    operators: wiring.operators,
    locator: context.ports.locator,
    limiterKey: context.key('mobile-signature-limits'),
    startsPerTenMinutes: wiring.startsPerTenMinutes,
    onOutcome: wiring.onOutcome,
    requestsPerNumberHour: config.limits.mobileSignature.requestsPerNumberHour,
    requestsPerHour: config.limits.mobileSignature.requestsPerHour,
  });
  const demoHints =
    config.mobileSignature.simulator && !config.mobileSignature.operatorsFile && parts.methods.length
      ? [
          `Mobile signature demo: MSSP simulator on http://${config.host}:${config.mobileSignature.simulatorPort}/dev (any operator; number 0530 000 00 01 signs as Ayşe, more test numbers in the README)`,
        ]
      : [];
  return {
    methods: parts.methods,
    routes: [],
    accountPages: [],
    readiness: () => wiring.readiness(),
    demoHints,
    exports: wiring,
    close: () => wiring.close(),
  };
}
