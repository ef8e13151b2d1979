import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { Database, StateStore } from '../../adapters/storage/port.js';
import type { Account, PasswordCredential } from '../accounts/account.js';
import type { PasswordHasher } from '../accounts/password-hasher.js';
import type { NewAccount } from '../accounts/account-repository.js';
import type { ClientInput, StoredClient } from '../clients/client-service.js';
import type { AuditRecord, SignInRecord } from '../security/audit.js';
import type { Limiters } from '../security/limiters.js';
import type { Sealer } from '../security/crypto.js';
import type { TokenFacts } from '../sessions/token-revocations.js';

// The storage the method modules see (issue 21 point 4): repositories behind interfaces, like the
// other ports. The core's implementations (src/accounts/account-repository.ts, src/security/audit.ts,
// src/sessions/) satisfy them; a method folder names only these, and never imports knex or ioredis
// (test/unit/import-rules.test.ts). `Database` is the storage port's handle (adapters/storage/port.ts):
// a method passes a transaction it was given along, so that a change and its audit row commit together.

/** The accounts, as far as sign-in methods and their pages use them. */
export interface AccountStore {
  findById(id: string): Promise<Account | undefined>;
  findByNationalId(nationalId: string): Promise<Account | undefined>;
  findWithPasswordByNationalId(nationalId: string): Promise<{ account: Account; credential: PasswordCredential | undefined } | undefined>;
  findPassword(accountId: string): Promise<PasswordCredential | undefined>;
  create(account: NewAccount, trx?: Database): Promise<Account>;
  setPassword(credential: PasswordCredential, trx?: Database): Promise<void>;
  setTwoFactorEnabled(accountId: string, enabled: boolean, trx?: Database): Promise<boolean>;
}

/** Sign-in records and audit events (personal data: kept for the retention period). */
export interface AuditTrail {
  signIn(record: SignInRecord): Promise<void>;
  event(record: AuditRecord, trx?: Database): Promise<void>;
}

/** Ending a person's sessions (a factor added or removed ends the others). */
export interface SessionEndings {
  endForAccount(accountId: string, options: { startedWith?: string; reason: string; except?: string; revokeTokens?: boolean }): Promise<number>;
}

/** The "revoked before" times Kapı's own APIs check on the tokens they accept. */
export interface RevocationCheck {
  refuses(token: TokenFacts): Promise<boolean>;
}

/** Institutions Kapı registers for itself (the mobile app's client). */
export interface ClientRegistrations {
  show(clientId: string): Promise<StoredClient | undefined>;
  add(input: ClientInput): Promise<Record<string, unknown>>;
  update(clientId: string, changes: Partial<ClientInput>): Promise<Record<string, unknown>>;
}

/** What a method module is given of storage: ports only. */
export interface ModuleServices {
  /** The database handle, for the module's own stores (adapters/sql) and for transactions. */
  db: Database;
  state: StateStore;
  limiters: Limiters;
  sealer: Sealer;
  /** argon2id, bounded so hashes never starve token signing (a service, not storage). */
  hasher: PasswordHasher;
  accounts: AccountStore;
  audit: AuditTrail;
  registry: PopulationRegistry;
  sessions: SessionEndings;
  revocations: RevocationCheck;
  clients: ClientRegistrations;
}
