import type { PostalAddress } from '../accounts/account.js';
import type { NationalIdType } from '../identity/national-id.js';

// The vocabulary of office issuance. Every list here comes from the e-Government Gateway FAQ
// ("Who Can Get Password?", the three "Documents ..." answers, proxies, guardians, fees).

export type IdentityType = NationalIdType;

/** Who stands at the counter: the person, a proxy with a power of attorney, or a court-appointed guardian. */
export const CHANNELS = ['self', 'proxy', 'guardian'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A document shown at the counter: its type and the number printed on it. */
export interface PresentedDocument {
  type: string;
  number: string;
}

/** The written authority of a representative: the power of attorney or the court decision. */
export interface Authority {
  /** The notary's journal number or the court's decision number. */
  number: string;
  /** YYYY-MM-DD */
  date: string;
  /** The notary or the court. */
  issuer: string;
  /** Power of attorney only: the deed says in so many words that the proxy may receive the password. */
  authorisesPasswordReceipt?: boolean;
}

export interface Representative {
  nationalId: string;
  document: PresentedDocument;
  authority: Authority;
}

/** What staff type in for an issuance or a cancellation. */
export interface CounterRequest {
  nationalId: string;
  channel: Channel;
  /** The person's own documents (required in person; optional when a representative comes). */
  documents: PresentedDocument[];
  representative?: Representative | undefined;
  /**
   * Issuance only: the person asks that her second factors go (an e-Government Key, registered devices,
   * a phone confirming sign-ins that she did not add or no longer has). In person or by a guardian,
   * never by proxy (DESIGN.md, third round, "Factors").
   */
  removeSecondFactors?: boolean | undefined;
}

/** Where a counter request came from: the API, `kapi registrar`, or the web console at /office. */
export type StaffVia = 'api' | 'cli' | 'console';

/** The staff member acting, as the API (verified token), the CLI (--office/--staff) or the console (session) established. */
export interface StaffContext {
  officeCode: string;
  staffAccountId: string;
  via: StaffVia;
  ip?: string | undefined;
}

/** The registry record as the registrar needs it (the population-registry port's shape, structurally). */
export interface RegistryRecord {
  nationalId: string;
  type: IdentityType;
  givenName: string;
  familyName: string;
  birthdate: string;
  /** Serial of the person's current identity document (ID card, blue card) as the registry records it. */
  documentSerial?: string | undefined;
  address?: PostalAddress | undefined;
  alive: boolean;
}

export interface RegistryLookup {
  lookup(nationalId: string): Promise<RegistryRecord | null>;
}
