import type { Knex } from 'knex';
import { log } from '../log.js';

export interface SignInRecord {
  accountId?: string | undefined;
  subjectHash?: string | undefined;
  clientId?: string | undefined;
  method: string;
  acr?: string | undefined;
  result: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
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
    await this.db('sign_ins').insert({
      account_id: r.accountId ?? null,
      subject_hash: r.subjectHash ?? null,
      client_id: r.clientId ?? null,
      method: r.method,
      acr: r.acr ?? null,
      result: r.result,
      ip: r.ip ?? null,
      user_agent: r.userAgent?.slice(0, 512) ?? null,
    });
    log.info({ event: 'sign_in', method: r.method, result: r.result, clientId: r.clientId, acr: r.acr }, 'sign-in attempt');
  }

  async claimRelease(accountId: string, clientId: string, claims: string[], channel: 'id_token' | 'userinfo' | 'introspection'): Promise<void> {
    if (!claims.length) return;
    await this.db('claim_releases').insert({ account_id: accountId, client_id: clientId, claims, channel });
  }

  async event(r: AuditRecord): Promise<void> {
    await this.db('audit_events').insert({
      type: r.type,
      account_id: r.accountId ?? null,
      client_id: r.clientId ?? null,
      actor: r.actor ?? null,
      ip: r.ip ?? null,
      detail: r.detail ? JSON.stringify(r.detail) : null,
    });
    log.info({ event: r.type, clientId: r.clientId, actor: r.actor }, 'audit event');
  }

  /** Personal-data retention: purge rows older than the configured period. */
  async purgeOlderThan(days: number): Promise<number> {
    const cutoff = new Date(Date.now() - days * 86400_000);
    let removed = 0;
    for (const table of ['sign_ins', 'claim_releases', 'audit_events']) removed += await this.db(table).where('at', '<', cutoff).del();
    return removed;
  }
}
