import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { Account } from '../../src/accounts/account.js';
import { accountFromPerson, type AccountRepository } from '../../src/accounts/account-repository.js';
import type { AuditLog } from '../../src/security/audit.js';

/**
 * The account of the person the certificate proved: found, or created from the population registry the
 * first time (a mobile-signature holder needs no Kapı password first). The same rule as the smart-card
 * module's; each plug-in keeps its own copy because modules never import each other's internals.
 */
export async function accountFromRegistry(deps: { accounts: AccountRepository; registry: PopulationRegistry; audit: AuditLog }, nationalId: string): Promise<Account | undefined> {
  const existing = await deps.accounts.findByNationalId(nationalId);
  if (existing) return existing;
  const person = await deps.registry.lookup(nationalId);
  if (!person || !person.alive) return undefined;
  const account = await deps.accounts.create(accountFromPerson(person));
  await deps.audit.event({ type: 'account.created', accountId: account.id, detail: { via: 'mobile-signature' } });
  return account;
}
