import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type {
  CounterRecord,
  LockedAccount,
  NewRecord,
  Office,
  RecordedDocument,
  RegistrarRepository,
  RegistrarRole,
  RegistrarStaff,
} from '../../src/registrar/repository.js';
import type { Channel, StaffContext, StaffVia } from '../../src/registrar/types.js';

// The registrar's storage port (src/registrar/repository.ts) in SQL: offices, registrar roles, console
// clients, the issuance and cancellation records, and the account rows a counter request changes.

interface RecordRow {
  id: string;
  account_id: string;
  office_code: string;
  staff_account_id: string;
  staff_via: StaffVia;
  channel: Channel;
  documents: RecordedDocument[] | string;
  representative_national_id: string | null;
  representative_name: string | null;
  representative_document: RecordedDocument | string | null;
  authority_type: 'power_of_attorney' | 'court_decision' | null;
  authority_number: string | null;
  authority_date: string | Date | null;
  authority_issuer: string | null;
  fee_kurus?: number;
  sessions_ended?: number;
  at: Date;
}

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function isoDate(value: string | Date | null): string {
  if (value === null) return '';
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

function toRecord(row: RecordRow, kind: CounterRecord['kind']): CounterRecord {
  return {
    id: row.id,
    kind,
    accountId: row.account_id,
    officeCode: row.office_code,
    staffAccountId: row.staff_account_id,
    staffVia: row.staff_via,
    channel: row.channel,
    documents: json(row.documents),
    representative: row.representative_national_id
      ? {
          nationalId: row.representative_national_id,
          name: row.representative_name ?? '',
          document: json(row.representative_document as RecordedDocument | string),
          authorityType: row.authority_type!,
          authorityNumber: row.authority_number ?? '',
          authorityDate: isoDate(row.authority_date),
          authorityIssuer: row.authority_issuer ?? '',
        }
      : null,
    feeKurus: kind === 'issuance' ? (row.fee_kurus ?? null) : null,
    sessionsEnded: kind === 'cancellation' ? (row.sessions_ended ?? null) : null,
    at: row.at,
  };
}

function rowOf(r: NewRecord, staff: StaffContext) {
  return {
    account_id: r.accountId,
    office_code: staff.officeCode,
    staff_account_id: staff.staffAccountId,
    staff_via: staff.via,
    channel: r.channel,
    documents: JSON.stringify(r.documents),
    representative_national_id: r.representative?.nationalId ?? null,
    representative_name: r.representative?.name ?? null,
    representative_document: r.representative ? JSON.stringify(r.representative.document) : null,
    authority_type: r.representative?.authorityType ?? null,
    authority_number: r.representative?.authorityNumber ?? null,
    authority_date: r.representative?.authorityDate ?? null,
    authority_issuer: r.representative?.authorityIssuer ?? null,
  };
}

/** The registrar's storage port in SQL. */
export class SqlRegistrarRepository implements RegistrarRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  // Offices

  async addOffice(office: Omit<Office, 'active'>, trx: Knex = this.db): Promise<Office | undefined> {
    // The code is the key: of two adds of one code at once, the second inserts nothing (no unique-key error).
    const inserted = await trx('registrar_offices')
      .insert({ code: office.code, name: office.name, kind: office.kind })
      .onConflict('code')
      .ignore()
      .returning('code');
    return inserted.length ? { ...office, active: true } : undefined;
  }

  async findOffice(code: string): Promise<Office | undefined> {
    const row = await this.db('registrar_offices').where({ code }).first();
    return row ? { code: row.code, name: row.name, kind: row.kind, active: row.active } : undefined;
  }

  async listOffices(): Promise<Office[]> {
    const rows = await this.db('registrar_offices').orderBy('code');
    return rows.map((row) => ({ code: row.code, name: row.name, kind: row.kind, active: row.active }));
  }

  async setOfficeActive(code: string, active: boolean, trx: Knex = this.db): Promise<boolean> {
    return (await trx('registrar_offices').where({ code }).update({ active })) > 0;
  }

  // Roles

  async grantRole(accountId: string, officeCode: string, grantedBy: string, trx: Knex = this.db): Promise<void> {
    await trx('registrar_roles')
      .insert({ account_id: accountId, office_code: officeCode, granted_by: grantedBy.slice(0, 128), granted_at: this.db.fn.now() })
      .onConflict('account_id')
      .merge();
  }

  async revokeRole(accountId: string, trx: Knex = this.db): Promise<boolean> {
    return (await trx('registrar_roles').where({ account_id: accountId }).del()) > 0;
  }

  async findRole(accountId: string): Promise<RegistrarRole | undefined> {
    const row = await this.db('registrar_roles').where({ account_id: accountId }).first();
    return row ? { accountId: row.account_id, officeCode: row.office_code } : undefined;
  }

  async listRoles(officeCode?: string): Promise<RegistrarStaff[]> {
    const q = this.db('registrar_roles as r')
      .join('accounts as a', 'a.id', 'r.account_id')
      .select('r.account_id', 'r.office_code', 'r.granted_by', 'r.granted_at', 'a.national_id', 'a.given_name', 'a.family_name')
      .orderBy(['r.office_code', 'a.national_id']);
    if (officeCode) q.where('r.office_code', officeCode);
    const rows = await q;
    return rows.map((row) => ({
      accountId: row.account_id,
      officeCode: row.office_code,
      nationalId: row.national_id,
      name: `${row.given_name} ${row.family_name}`,
      grantedBy: row.granted_by,
      grantedAt: new Date(row.granted_at),
    }));
  }

  // Console clients

  async allowConsoleClient(clientId: string): Promise<void> {
    await this.db('registrar_console_clients').insert({ client_id: clientId }).onConflict('client_id').ignore();
  }

  async isConsoleClient(clientId: string): Promise<boolean> {
    return Boolean(await this.db('registrar_console_clients').where({ client_id: clientId }).first());
  }

  // Records

  /** Office passwords this account has had (the fee depends on it). Locks nothing: callers lock the account. */
  async countIssuances(accountId: string, trx: Knex = this.db): Promise<number> {
    const row = await trx('registrar_issuances').where({ account_id: accountId }).count<{ count: string | number }[]>('id as count').first();
    return Number(row?.count ?? 0);
  }

  async recordIssuance(r: NewRecord & { feeKurus: number }, staff: StaffContext, trx: Knex = this.db): Promise<CounterRecord> {
    const [row] = await trx('registrar_issuances')
      .insert({ id: randomUUID(), ...rowOf(r, staff), fee_kurus: r.feeKurus })
      .returning('*');
    return toRecord(row as RecordRow, 'issuance');
  }

  async recordCancellation(r: NewRecord, staff: StaffContext, trx: Knex = this.db): Promise<CounterRecord> {
    const [row] = await trx('registrar_cancellations')
      .insert({ id: randomUUID(), ...rowOf(r, staff) })
      .returning('*');
    return toRecord(row as RecordRow, 'cancellation');
  }

  /** Added, not set: a replay that finishes a cut-off cancellation counts the sessions it ended too. */
  async addSessionsEnded(cancellationId: string, count: number): Promise<void> {
    if (count) await this.db('registrar_cancellations').where({ id: cancellationId }).increment('sessions_ended', count);
  }

  /** One record by id (what an idempotency key names). */
  async findRecord(kind: CounterRecord['kind'], id: string): Promise<CounterRecord | undefined> {
    const row = (await this.db(kind === 'issuance' ? 'registrar_issuances' : 'registrar_cancellations')
      .where({ id })
      .first()) as RecordRow | undefined;
    return row ? toRecord(row, kind) : undefined;
  }

  /** An office's own records, newest first: what its staff did (optionally for one account). */
  async officeHistory(officeCode: string, options: { accountId?: string | undefined; limit?: number | undefined } = {}): Promise<CounterRecord[]> {
    const limit = Math.min(options.limit ?? 50, 200);
    const where = (q: Knex.QueryBuilder) => {
      q.where({ office_code: officeCode });
      if (options.accountId) q.andWhere({ account_id: options.accountId });
      return q.orderBy('at', 'desc').limit(limit);
    };
    const [issued, cancelled] = await Promise.all([where(this.db('registrar_issuances').select('*')), where(this.db('registrar_cancellations').select('*'))]);
    return [...issued.map((r: RecordRow) => toRecord(r, 'issuance')), ...cancelled.map((r: RecordRow) => toRecord(r, 'cancellation'))]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  }

  // What a counter request does to the person's account

  async lockAccount(trx: Knex, nationalId: string): Promise<LockedAccount | undefined> {
    const row = (await trx('accounts').where({ national_id: nationalId }).forUpdate().first('id', 'password_login_enabled')) as
      | { id: string; password_login_enabled: boolean }
      | undefined;
    return row ? { id: row.id, passwordLoginEnabled: row.password_login_enabled } : undefined;
  }

  async hasPassword(trx: Knex, accountId: string): Promise<boolean> {
    return Boolean(await trx('password_credentials').where({ account_id: accountId }).first());
  }

  async reopenPasswordLogin(trx: Knex, accountId: string): Promise<void> {
    await trx('accounts').where({ id: accountId }).update({ password_login_enabled: true, updated_at: trx.fn.now() });
  }

  async removePassword(trx: Knex, accountId: string): Promise<boolean> {
    return (await trx('password_credentials').where({ account_id: accountId }).del()) > 0;
  }

  async endSecondFactorStanding(trx: Knex, accountId: string): Promise<{ phone: boolean; contacts: number }> {
    const row = (await trx('accounts').where({ id: accountId }).forUpdate().first('phone_verified', 'phone_verified_acr', 'email_verified')) as
      | { phone_verified: boolean; phone_verified_acr: string | null; email_verified: boolean }
      | undefined;
    if (!row) return { phone: false, contacts: 0 };
    await trx('accounts').where({ id: accountId }).update({
      two_factor_enabled: false,
      phone_verified: false,
      phone_verified_acr: null,
      phone_verified_at: null,
      email_verified: false,
      email_verified_at: null,
      updated_at: trx.fn.now(),
    });
    return {
      phone: row.phone_verified && ['substantial', 'high', 'registry'].includes(row.phone_verified_acr ?? ''),
      contacts: Number(row.phone_verified) + Number(row.email_verified),
    };
  }
}
