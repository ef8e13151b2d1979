import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { AccountStore, AuditTrail } from '../engine/ports.js';
import type { Account } from './account.js';
import { accountFromPerson } from './account-repository.js';

export interface AccountFromRegistryDeps {
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
}

/**
 * The account of a person proved by a strong method (e-signature, ID card, mobile signature): found, or
 * created from the population registry the first time, since such a person need not have a Kapı password
 * first. `via` names the method in the audit event. Undefined when the registry does not know the person
 * or records them as deceased.
 *
 * Two first sign-ins of the same person can race (two tabs, a retried request): the loser's insert hits
 * the unique identity number, and the account the winner created is the answer, not an error.
 */
export async function accountFromRegistry(deps: AccountFromRegistryDeps, nationalId: string, via: string): Promise<Account | undefined> {
  const existing = await deps.accounts.findByNationalId(nationalId);
  if (existing) return existing;
  const person = await deps.registry.lookup(nationalId);
  if (!person || !person.alive) return undefined;
  let account: Account;
  try {
    account = await deps.accounts.create(accountFromPerson(person));
  } catch (err) {
    const createdMeanwhile = await deps.accounts.findByNationalId(nationalId);
    if (createdMeanwhile) return createdMeanwhile;
    throw err;
  }
  await deps.audit.event({ type: 'account.created', accountId: account.id, detail: { via } });
  return account;
}
