import type { Bank } from '../../adapters/banks/port.js';
import type { Acr } from '../../src/assurance/levels.js';

// One bank as the banking method sees it: how it is shown, how its answer is read and rated, and the
// port that talks to it. Built from configuration in interactions/banking/bank-file.ts.

export interface BankAssurance {
  /** Level of a login at this bank when it reports nothing the mapping knows. */
  defaultAcr: Acr;
  /** The bank's acr values and the Kapı level each is worth. An acr missing from a non-empty map counts as `low`. */
  acrMap: Record<string, Acr>;
  /** Level when the bank's amr says it checked only a password. */
  passwordOnlyAcr: Acr;
}

export interface BankLogo {
  contentType: string;
  data: Buffer;
}

export interface BankEntry {
  id: string;
  name: string;
  logo: BankLogo | undefined;
  enabled: boolean;
  /** The claim of the bank's ID token (or userinfo) holding the national identity number. */
  nationalIdClaim: string;
  assurance: BankAssurance;
  client: Bank;
}

export const BANK_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
