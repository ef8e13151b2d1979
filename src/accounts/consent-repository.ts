import type { Knex } from 'knex';
import { fixedStatement, runFixed } from '../../adapters/storage/fixed-sql.js';

// Read on every sign-in that finds no grant in the session (a consent remembered from before): fixed SQL (issue 8).
const FIND = fixedStatement('consent_find', 'select scopes, claims from consents where account_id = ? and client_id = ? limit 1');

export interface ConsentRecord {
  accountId: string;
  clientId: string;
  scopes: string[];
  claims: string[];
}

/** Consent decisions remembered per institution, across sessions. */
export class ConsentRepository {
  constructor(private readonly db: Knex) {}

  async find(accountId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const [row] = await runFixed<{ scopes: string[]; claims: string[] }>(this.db, FIND, [accountId, clientId]);
    return row ? { accountId, clientId, scopes: row.scopes, claims: row.claims } : undefined;
  }

  /** Adds to what was granted before (a consent only widens until the citizen withdraws it). */
  async remember(record: ConsentRecord): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await trx('consents').where({ account_id: record.accountId, client_id: record.clientId }).forUpdate().first();
      const scopes = [...new Set([...(row?.scopes ?? []), ...record.scopes])];
      const claims = [...new Set([...(row?.claims ?? []), ...record.claims])];
      await trx('consents')
        .insert({ account_id: record.accountId, client_id: record.clientId, scopes, claims, granted_at: trx.fn.now() })
        .onConflict(['account_id', 'client_id'])
        .merge();
    });
  }

  /** Every institution the person has a remembered consent for (the account's history page). */
  async listFor(accountId: string): Promise<(ConsentRecord & { grantedAt: Date })[]> {
    const rows = (await this.db('consents').where({ account_id: accountId }).orderBy('granted_at', 'desc').limit(500)) as {
      client_id: string;
      scopes: string[];
      claims: string[];
      granted_at: Date;
    }[];
    return rows.map((row) => ({ accountId, clientId: row.client_id, scopes: row.scopes, claims: row.claims, grantedAt: new Date(row.granted_at) }));
  }

  async withdraw(accountId: string, clientId: string): Promise<void> {
    await this.db('consents').where({ account_id: accountId, client_id: clientId }).del();
  }
}
