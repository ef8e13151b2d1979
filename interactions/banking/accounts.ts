import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { Account } from '../../src/accounts/account.js';
import { accountFromPerson } from '../../src/accounts/account-repository.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';

/**
 * The account of a person a bank proved: found, or created from the population registry the first
 * time (FAQ: a bank customer who is not a user yet "can log into the e-Government Gateway via Online
 * Banking and become a user"). Nothing the bank said about the person is used beyond the number.
 */
export async function accountForBankCustomer(
  deps: { accounts: AccountStore; registry: PopulationRegistry; audit: AuditTrail },
  nationalId: string,
  bank: string,
): Promise<{ account: Account; created: boolean } | undefined> {
  const existing = await deps.accounts.findByNationalId(nationalId);
  if (existing) return { account: existing, created: false };
  const person = await deps.registry.lookup(nationalId);
  if (!person || !person.alive) return undefined;
  const account = await deps.accounts.create(accountFromPerson(person));
  await deps.audit.event({ type: 'account.created', accountId: account.id, detail: { via: 'banking', bank } });
  return { account, created: true };
}
