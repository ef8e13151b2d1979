import type { Knex } from 'knex';
import { log } from '../log.js';
import { fixedStatement, runFixed } from '../../adapters/storage/fixed-sql.js';
import { batcherFor, type BatchShape } from '../../adapters/storage/statement-batch.js';

interface ClaimRelease {
  accountId: string;
  clientId: string;
  claims: string[];
  channel: 'id_token' | 'userinfo' | 'introspection';
}

const INSERT_CLAIM_RELEASES = fixedStatement(
  'claim_releases_insert',
  `insert into claim_releases (account_id, client_id, claims, channel)
  select r.account_id, r.client_id, array(select jsonb_array_elements_text(r.claims)), r.channel
  from jsonb_to_recordset(?::jsonb) as r(account_id uuid, client_id text, claims jsonb, channel text)`,
);

// Every sign-in attempt writes one (issue 8: fixed SQL, past knex's query builder).
const INSERT_SIGN_IN = fixedStatement(
  'sign_in_insert',
  `insert into sign_ins (account_id, subject_hash, client_id, method, acr, result, ip, user_agent, credentials)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

const claimReleaseShape: BatchShape<ClaimRelease, void> = {
  name: 'claim_releases_insert',
  async many(db, releases) {
    const rows = releases.map((r) => ({ account_id: r.accountId, client_id: r.clientId, claims: r.claims, channel: r.channel }));
    await runFixed(db, INSERT_CLAIM_RELEASES, [JSON.stringify(rows)]);
    return releases.map(() => undefined);
  },
  async one(db, r) {
    await runFixed(db, INSERT_CLAIM_RELEASES, [JSON.stringify([{ account_id: r.accountId, client_id: r.clientId, claims: r.claims, channel: r.channel }])]);
  },
};

export interface SignInRecord {
  accountId?: string | undefined;
  subjectHash?: string | undefined;
  clientId?: string | undefined;
  method: string;
  acr?: string | undefined;
  result: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** Which of the person's credentials a successful sign-in used: `<method>:<id>` pairs (migrations/014). */
  credentials?: string | undefined;
}

/** One row of a person's login history. */
export interface SignInRow {
  id: string;
  at: Date;
  clientId: string | null;
  method: string;
  acr: string | null;
  result: string;
  ip: string | null;
  userAgent: string | null;
  /** Which credentials it used (`<method>:<id>` pairs), when read one by one for "This wasn't me". */
  credentials?: string | null;
}

/** What one institution received from a person, summed up. */
export interface ReleaseSummary {
  clientId: string;
  claims: string[];
  firstAt: Date;
  lastAt: Date;
  times: number;
}

export interface AuditRecord {
  type: string;
  accountId?: string | undefined;
  clientId?: string | undefined;
  actor?: string | undefined;
  ip?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** Writes sign-in attempts, claim releases and audit events to Postgres. Values only, never secrets. */
export class AuditLog {
  constructor(private readonly db: Knex) {}

  async signIn(r: SignInRecord): Promise<void> {
    await runFixed(this.db, INSERT_SIGN_IN, [
      r.accountId ?? null,
      r.subjectHash ?? null,
      r.clientId ?? null,
      r.method,
      r.acr ?? null,
      r.result,
      r.ip ?? null,
      r.userAgent?.slice(0, 512) ?? null,
      r.credentials ?? null,
    ]);
    log.info({ event: 'sign_in', method: r.method, result: r.result, clientId: r.clientId, acr: r.acr }, 'sign-in attempt');
  }

  async claimRelease(accountId: string, clientId: string, claims: string[], channel: 'id_token' | 'userinfo' | 'introspection'): Promise<void> {
    if (!claims.length) return;
    // Every token and userinfo answer records one; concurrent ones share one INSERT (statement-batch.ts),
    // and each caller continues only once its row is written.
    await batcherFor(this.db, claimReleaseShape).run({ accountId, clientId, claims, channel });
  }

  /** `trx`: write the event in the same transaction as the change it records. */
  async event(r: AuditRecord, trx: Knex = this.db): Promise<void> {
    await trx('audit_events').insert({
      type: r.type,
      account_id: r.accountId ?? null,
      client_id: r.clientId ?? null,
      actor: r.actor ?? null,
      ip: r.ip ?? null,
      detail: r.detail ? JSON.stringify(r.detail) : null,
    });
    log.info({ event: r.type, clientId: r.clientId, actor: r.actor }, 'audit event');
  }

  /**
   * The person's own sign-ins, newest first, in pages: `before` is the id of the last row of the
   * previous page (keyset pagination: a new sign-in does not shift the pages being read).
   */
  async signInsOf(accountId: string, options: { before?: string | undefined; limit: number }): Promise<SignInRow[]> {
    let query = this.db('sign_ins').where({ account_id: accountId });
    if (options.before) query = query.andWhere('id', '<', options.before);
    const rows = (await query.orderBy('id', 'desc').limit(options.limit)) as {
      id: string | number;
      at: Date;
      client_id: string | null;
      method: string;
      acr: string | null;
      result: string;
      ip: string | null;
      user_agent: string | null;
    }[];
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      clientId: r.client_id,
      method: r.method,
      acr: r.acr,
      result: r.result,
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** One sign-in of the person's own history by its id; undefined when it is not hers (or not there). */
  async signInOf(accountId: string, id: string): Promise<SignInRow | undefined> {
    const [row] = (await this.db('sign_ins').where({ account_id: accountId, id }).limit(1)) as {
      id: string | number;
      at: Date;
      client_id: string | null;
      method: string;
      acr: string | null;
      result: string;
      ip: string | null;
      user_agent: string | null;
      credentials: string | null;
    }[];
    return row
      ? {
          id: String(row.id),
          at: new Date(row.at),
          clientId: row.client_id,
          method: row.method,
          acr: row.acr,
          result: row.result,
          ip: row.ip,
          userAgent: row.user_agent,
          credentials: row.credentials ?? null,
        }
      : undefined;
  }

  /** Per institution: which claims it received and when (first, latest, how often), latest first. */
  async releasesOf(accountId: string): Promise<ReleaseSummary[]> {
    const totals = (await this.db('claim_releases')
      .where({ account_id: accountId })
      .groupBy('client_id')
      .select('client_id', this.db.raw('min(at) as first_at'), this.db.raw('max(at) as last_at'), this.db.raw('count(*)::int as times'))
      .orderBy('last_at', 'desc')
      .limit(200)) as { client_id: string; first_at: Date; last_at: Date; times: number }[];
    const names = (await this.db.raw(
      'select client_id, array_agg(distinct c order by c) as claims from claim_releases, unnest(claims) as c where account_id = ? group by client_id',
      [accountId],
    )) as { rows: { client_id: string; claims: string[] }[] };
    const claimsBy = new Map(names.rows.map((r) => [r.client_id, r.claims]));
    return totals.map((t) => ({
      clientId: t.client_id,
      claims: claimsBy.get(t.client_id) ?? [],
      firstAt: new Date(t.first_at),
      lastAt: new Date(t.last_at),
      times: Number(t.times),
    }));
  }

  /** The latest releases to one institution (what, when, by which channel). */
  async recentReleases(accountId: string, clientId: string, limit = 10): Promise<{ at: Date; claims: string[]; channel: string }[]> {
    const rows = (await this.db('claim_releases').where({ account_id: accountId, client_id: clientId }).orderBy('id', 'desc').limit(limit)) as {
      at: Date;
      claims: string[];
      channel: string;
    }[];
    return rows.map((r) => ({ at: new Date(r.at), claims: r.claims, channel: r.channel }));
  }

  /** Personal-data retention: purge rows older than the configured period. */
  async purgeOlderThan(days: number): Promise<number> {
    const cutoff = new Date(Date.now() - days * 86400_000);
    let removed = 0;
    for (const table of ['sign_ins', 'claim_releases', 'audit_events']) removed += await this.db(table).where('at', '<', cutoff).del();
    return removed;
  }
}
