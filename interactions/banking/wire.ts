import { SqlBankLinks } from '../../adapters/sql/bank-links.js';
import type { ModuleContext, WiredModule } from '../../src/engine/module.js';
import { bankingSetup, type BankingSetup } from './bank-file.js';
import type { BankingConfig } from './config.js';
import { bankingParts } from './parts.js';

export async function wireBanking(context: ModuleContext<BankingConfig>): Promise<WiredModule<BankingSetup>> {
  const { services } = context;
  const setup = await bankingSetup(context.config);
  const parts = bankingParts({
    banks: setup.banks,
    links: new SqlBankLinks(services.db),
    state: services.state,
    limiters: services.limiters,
    accounts: services.accounts,
    registry: services.registry,
    audit: services.audit,
    subjectKey: context.key('bank-subject'),
    provider: context.provider,
    login: context.login,
    clientIp: context.clientIp,
  });
  const demoHints = setup.demoBank
    ? [
        `Online banking demo: Demo Bank on ${setup.demoBank.issuer} (customer 4000146, password Demo-Banka-146, code 246810 signs in as Ayşe; all customers in the README)`,
      ]
    : [];
  return {
    methods: parts.methods,
    routes: [parts.router],
    accountPages: [],
    readiness: async () => [],
    demoHints,
    exports: setup,
    close: () => setup.close(),
  };
}
