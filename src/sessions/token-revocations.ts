import type { Knex } from 'knex';

export type RevocationKind = 'account' | 'client';

/** What Kapı's own APIs know of a token: whose, for which client, and when it was issued (epoch seconds). */
export interface TokenFacts {
  accountId?: string | undefined;
  clientId?: string | undefined;
  iat: number;
}

/**
 * "What ends, ends" for tokens (issue 19 point 6, DESIGN.md "Endings"). Revoking a person's tokens
 * deletes every grant and refresh token of hers from Postgres, `offline_access` ones included, whatever
 * method signed her in: oidc-provider refuses a code, a refresh token, and an access token at userinfo
 * and introspection once its grant is gone. Kapı's own APIs read tokens without oidc-provider's grant
 * check (the registrar API verifies JWT access tokens itself, the device API looks opaque ones up), so
 * the moment of the revocation is kept as a "revoked before" time, per account and per client, and those
 * APIs refuse any token issued before it. JWT access tokens held by institutions' own APIs cannot be
 * recalled: they end with their lifetime (600 s).
 */
export class TokenRevocations {
  constructor(private readonly db: Knex) {}

  /** Every grant and refresh token of the account goes; tokens issued before now are refused by Kapı's APIs. */
  async revokeAccount(accountId: string, reason: string, trx?: Knex.Transaction): Promise<number> {
    return this.#revoke('account', accountId, `payload->>'accountId'`, reason, trx);
  }

  /** The same for every token of one client (an institution's or a console's credentials leaked). */
  async revokeClient(clientId: string, reason: string, trx?: Knex.Transaction): Promise<number> {
    return this.#revoke('client', clientId, `payload->>'clientId'`, reason, trx);
  }

  async #revoke(kind: RevocationKind, subject: string, column: string, reason: string, trx?: Knex.Transaction): Promise<number> {
    const run = async (db: Knex | Knex.Transaction) => {
      // The mark first: from here on Kapı's APIs refuse what was issued before, while the grants go.
      await db.raw(
        `insert into token_revocations (kind, subject, revoked_before, reason) values (?, ?, now(), ?)
         on conflict (kind, subject) do update set revoked_before = greatest(token_revocations.revoked_before, excluded.revoked_before), reason = excluded.reason`,
        [kind, subject, reason.slice(0, 32)],
      );
      // Grants and refresh tokens of the subject, and whatever else in this table hangs off those grants
      // (grant_id is the grant's own key: sha256 of its id).
      const grants = (await db('oidc_models').whereIn('model', ['Grant', 'RefreshToken']).andWhereRaw(`${column} = ?`, [subject]).delete(['id', 'model'])) as {
        id: string;
        model: string;
      }[];
      const grantKeys = grants.filter((g) => g.model === 'Grant').map((g) => g.id);
      if (grantKeys.length) await db('oidc_models').whereIn('grant_id', grantKeys).delete();
      return grantKeys.length;
    };
    return trx ? run(trx) : this.db.transaction(run);
  }

  /** Whether Kapı's own APIs must refuse a token: issued (`iat`) at or before a revocation of its account or client. */
  async refuses(token: TokenFacts): Promise<boolean> {
    const subjects: [RevocationKind, string][] = [];
    if (token.accountId) subjects.push(['account', token.accountId]);
    if (token.clientId) subjects.push(['client', token.clientId]);
    if (!subjects.length) return false;
    const rows = (await this.db('token_revocations')
      .select(this.db.raw('floor(extract(epoch from revoked_before))::float8 as before'))
      .where((q) => {
        for (const [kind, subject] of subjects) void q.orWhere({ kind, subject });
      })) as { before: number }[];
    // A token of the same second as the revocation is refused too (iat has whole seconds only).
    return rows.some((r) => token.iat <= Number(r.before));
  }
}
