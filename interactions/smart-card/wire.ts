import { PkiValidator } from '../../adapters/pki/validator.js';
import type { ModuleContext, WiredModule } from '../../src/engine/module.js';
import type { SmartCardConfig } from './config.js';
import { smartCardParts } from './parts.js';
import { smartCardTrust } from './trust.js';

export async function wireSmartCard(context: ModuleContext<SmartCardConfig>): Promise<WiredModule> {
  const { config, services } = context;
  const { trust, demoResponders } = await smartCardTrust(config);
  const parts = smartCardParts({
    issuer: config.issuer,
    state: services.state,
    limiters: services.limiters,
    accounts: services.accounts,
    registry: services.registry,
    audit: services.audit,
    validator: new PkiValidator(),
    trust,
    locator: context.ports.locator,
    subjectKey: context.key('subject-hash'),
    clientIp: context.clientIp,
  });
  const demoHints =
    config.demo && parts.methods.some((m) => m.id === 'e-signature')
      ? ['e-Signature / ID card demo: stop the server, run `npx kapi dev token` (needs softhsm2 and opensc), start again and follow what it prints.']
      : [];
  return {
    methods: parts.methods,
    routes: [parts.router],
    accountPages: [],
    readiness: async () => [],
    demoHints,
    exports: undefined,
    async close() {
      await demoResponders?.close();
    },
  };
}
