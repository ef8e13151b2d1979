import type { Knex } from 'knex';
import type { BankLinks } from '../../interactions/banking/links.js';

// The only thing Kapı keeps of a bank (FAQ: banks and Kapı share nothing else): which bank subject
// signed in as which account, and when. The subject is stored as a keyed hash: Kapı only ever
// compares it with the next answer and never shows or sends it, so a copy of the table must not
// reveal banks' customer identifiers (some banks use customer numbers as `sub`).

/** The bank links port (interactions/banking/links.ts) in SQL. */
export class SqlBankLinks implements BankLinks {
  constructor(private readonly db: Knex) {}

  /** The account a bank subject signed in as before, if any. */
  async accountFor(bank: string, subjectHash: string): Promise<string | undefined> {
    const row = (await this.db('bank_links').where({ bank_id: bank, subject_hash: subjectHash }).first('account_id')) as { account_id: string } | undefined;
    return row?.account_id;
  }

  /** Records (or refreshes) the link; true when it is new. */
  async record(bank: string, subjectHash: string, accountId: string): Promise<boolean> {
    const now = new Date();
    const updated = await this.db('bank_links').where({ bank_id: bank, subject_hash: subjectHash, account_id: accountId }).update({ last_used_at: now });
    if (updated) return false;
    await this.db('bank_links')
      .insert({ bank_id: bank, subject_hash: subjectHash, account_id: accountId, linked_at: now, last_used_at: now })
      .onConflict(['bank_id', 'subject_hash'])
      .ignore();
    return true;
  }
}
