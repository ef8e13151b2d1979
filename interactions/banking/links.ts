// The only thing Kapı keeps of a bank (FAQ: banks and Kapı share nothing else): which bank subject
// signed in as which account, and when. The subject is stored as a keyed hash: Kapı only ever
// compares it with the next answer and never shows or sends it, so a copy of the table must not
// reveal banks' customer identifiers (some banks use customer numbers as `sub`). The banking
// module's storage port; in SQL: adapters/sql/bank-links.ts.

export interface BankLinks {
  /** The account a bank subject signed in as before, if any. */
  accountFor(bank: string, subjectHash: string): Promise<string | undefined>;
  /** Records (or refreshes) the link; true when it is new. */
  record(bank: string, subjectHash: string, accountId: string): Promise<boolean>;
}
