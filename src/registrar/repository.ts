import type { Database } from '../../adapters/storage/port.js';
import type { Channel, StaffContext, StaffVia } from './types.js';

// The registrar's storage port (issue 21 point 4): offices, registrar roles, console clients, the
// issuance and cancellation records, and what a counter request does to an account in its own
// transaction. The registrar's rules (service.ts, office-admin.ts) name only this interface; its SQL is
// adapters/sql/registrar-repository.ts. A transaction is the storage port's handle (`Database`), passed
// along so that a change, its audit rows and its idempotency key commit together.

export const OFFICE_KINDS = ['ptt', 'turksat', 'consulate'] as const;
export type OfficeKind = (typeof OFFICE_KINDS)[number];

export interface Office {
  code: string;
  name: string;
  kind: OfficeKind;
  active: boolean;
}

export interface RegistrarRole {
  accountId: string;
  officeCode: string;
}

/** A registrar as the staff lists show one: who, and when and by whom the role was granted. */
export interface RegistrarStaff extends RegistrarRole {
  nationalId: string;
  name: string;
  grantedBy: string;
  grantedAt: Date;
}

export interface RecordedDocument {
  type: string;
  number: string;
}

export interface RepresentativeRecord {
  nationalId: string;
  name: string;
  document: RecordedDocument;
  authorityType: 'power_of_attorney' | 'court_decision';
  authorityNumber: string;
  authorityDate: string;
  authorityIssuer: string;
}

export interface CounterRecord {
  id: string;
  kind: 'issuance' | 'cancellation';
  accountId: string;
  officeCode: string;
  staffAccountId: string;
  staffVia: StaffVia;
  channel: Channel;
  documents: RecordedDocument[];
  representative: RepresentativeRecord | null;
  /** Issuances only. */
  feeKurus: number | null;
  /** Cancellations only. */
  sessionsEnded: number | null;
  at: Date;
}

export type NewRecord = Omit<CounterRecord, 'id' | 'at' | 'kind' | 'feeKurus' | 'sessionsEnded' | 'officeCode' | 'staffAccountId' | 'staffVia'>;

/** An account row as a counter request holds it: locked until its transaction ends. */
export interface LockedAccount {
  id: string;
  passwordLoginEnabled: boolean;
}

export interface RegistrarRepository {
  /** Runs `work` in one transaction: everything given `trx` commits or rolls back together. */
  transaction<T>(work: (trx: Database) => Promise<T>): Promise<T>;

  // Offices
  /** The office added, or undefined when its code is taken (also by an add that ran at the same moment). */
  addOffice(office: Omit<Office, 'active'>, trx?: Database): Promise<Office | undefined>;
  findOffice(code: string): Promise<Office | undefined>;
  listOffices(): Promise<Office[]>;
  setOfficeActive(code: string, active: boolean, trx?: Database): Promise<boolean>;

  // Roles (one office per registrar: a grant elsewhere moves the role)
  grantRole(accountId: string, officeCode: string, grantedBy: string, trx?: Database): Promise<void>;
  revokeRole(accountId: string, trx?: Database): Promise<boolean>;
  findRole(accountId: string): Promise<RegistrarRole | undefined>;
  listRoles(officeCode?: string): Promise<RegistrarStaff[]>;

  // Console clients
  allowConsoleClient(clientId: string): Promise<void>;
  isConsoleClient(clientId: string): Promise<boolean>;

  // Records
  /** Office passwords this account has had (the fee depends on it). Locks nothing: callers lock the account. */
  countIssuances(accountId: string, trx?: Database): Promise<number>;
  recordIssuance(r: NewRecord & { feeKurus: number }, staff: StaffContext, trx?: Database): Promise<CounterRecord>;
  recordCancellation(r: NewRecord, staff: StaffContext, trx?: Database): Promise<CounterRecord>;
  /** Added, not set: a replay that finishes a cut-off cancellation counts the sessions it ended too. */
  addSessionsEnded(cancellationId: string, count: number): Promise<void>;
  /** One record by id (what an idempotency key names). */
  findRecord(kind: CounterRecord['kind'], id: string): Promise<CounterRecord | undefined>;
  /** An office's own records, newest first: what its staff did (optionally for one account). */
  officeHistory(officeCode: string, options?: { accountId?: string | undefined; limit?: number | undefined }): Promise<CounterRecord[]>;

  // What a counter request does to the person's account, inside its transaction
  /** The account with this identity number, locked for the transaction (two counters at once must not both charge). */
  lockAccount(trx: Database, nationalId: string): Promise<LockedAccount | undefined>;
  hasPassword(trx: Database, accountId: string): Promise<boolean>;
  /** A password from an office re-opens password login. */
  reopenPasswordLogin(trx: Database, accountId: string): Promise<void>;
  /** True when there was a password to remove. */
  removePassword(trx: Database, accountId: string): Promise<boolean>;
  /**
   * The phone stops serving as a second factor, the phone and the e-mail stop being verified (their values
   * stay, for her to confirm again with a code after signing in with the office's password) and two-factor
   * authentication is turned off. Someone who took the account over may have put his own phone or e-mail
   * there: until she confirms hers, no reset code or notice goes to either. `phone` says whether the phone
   * had been a second factor, `contacts` how many verified contacts were un-verified.
   */
  endSecondFactorStanding(trx: Database, accountId: string): Promise<{ phone: boolean; contacts: number }>;
}
