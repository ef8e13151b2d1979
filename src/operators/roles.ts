import type { Knex } from 'knex';

// Who may run Kapı (issue 23 point 2): administrators change institutions, offices and keys; auditors
// read everything and change nothing. One role per account; `kapi operators grant` makes the first one.

export const OPERATOR_ROLES = ['administrator', 'auditor'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface OperatorRecord {
  accountId: string;
  role: OperatorRole;
  nationalId: string;
  name: string;
  grantedBy: string;
  grantedAt: Date;
}

export class OperatorRoles {
  constructor(private readonly db: Knex) {}

  async find(accountId: string): Promise<OperatorRole | undefined> {
    const row = (await this.db('operator_roles').where({ account_id: accountId }).first('role')) as { role: OperatorRole } | undefined;
    return row?.role;
  }

  /** Gives (or changes) the account's role. */
  async grant(accountId: string, role: OperatorRole, grantedBy: string, trx: Knex = this.db): Promise<void> {
    await trx('operator_roles')
      .insert({ account_id: accountId, role, granted_by: grantedBy.slice(0, 128) })
      .onConflict('account_id')
      .merge({ role, granted_by: grantedBy.slice(0, 128), granted_at: trx.fn.now() });
  }

  async revoke(accountId: string, trx: Knex = this.db): Promise<boolean> {
    const before = await trx('operator_roles').where({ account_id: accountId }).first('account_id');
    if (!before) return false;
    await trx('operator_roles').where({ account_id: accountId }).delete();
    return true;
  }

  async list(): Promise<OperatorRecord[]> {
    const rows = (await this.db('operator_roles as o')
      .join('accounts as a', 'a.id', 'o.account_id')
      .orderBy('o.granted_at')
      .select('o.account_id', 'o.role', 'o.granted_by', 'o.granted_at', 'a.national_id', 'a.given_name', 'a.family_name')) as {
      account_id: string;
      role: OperatorRole;
      granted_by: string;
      granted_at: Date;
      national_id: string;
      given_name: string;
      family_name: string;
    }[];
    return rows.map((r) => ({
      accountId: r.account_id,
      role: r.role,
      nationalId: r.national_id,
      name: `${r.given_name} ${r.family_name}`,
      grantedBy: r.granted_by,
      grantedAt: new Date(r.granted_at),
    }));
  }
}
