import type { Knex } from 'knex';

// The operators' audit trail (issue 23 point 2): every change made from the operator console or the
// `kapi` command, with who made it, how, when and to what. Rows are written in the change's own
// transaction (DESIGN.md third round, "Audit rows of a change"), never hold a secret, and are read and
// exported (CSV, JSON) in the console.

/** Who acts: an operator signed in to the console, or someone at the server's command line. */
export interface Actor {
  /** The operator's account (console). */
  accountId?: string | undefined;
  /** A name for the record: the operator's name, or `cli:<user>`. */
  label: string;
  via: 'console' | 'cli';
  ip?: string | undefined;
}

export interface TrailEntry {
  action: string;
  clientId?: string | undefined;
  /** What else the action was about (an office code, a key id, an account's masked identity number). */
  target?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface TrailRow extends TrailEntry {
  id: string;
  at: Date;
  actor: string;
  via: string;
  operatorAccountId: string | null;
  ip: string | null;
}

interface Row {
  id: string | number;
  at: Date;
  action: string;
  operator_account_id: string | null;
  actor: string;
  via: string;
  client_id: string | null;
  target: string | null;
  detail: Record<string, unknown> | string | null;
  ip: string | null;
}

export class OperatorAuditTrail {
  constructor(private readonly db: Knex) {}

  async record(actor: Actor, entry: TrailEntry, trx: Knex = this.db): Promise<void> {
    await trx('operator_audit').insert({
      action: entry.action,
      operator_account_id: actor.accountId ?? null,
      actor: actor.label.slice(0, 160),
      via: actor.via,
      client_id: entry.clientId ?? null,
      target: entry.target?.slice(0, 160) ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      ip: actor.ip ?? null,
    });
  }

  /** Newest first; `before` is the id of the last row of the previous page (keyset pagination). */
  async list(options: { limit: number; before?: string | undefined; clientId?: string | undefined; action?: string | undefined }): Promise<TrailRow[]> {
    let query = this.db('operator_audit');
    if (options.clientId) query = query.where({ client_id: options.clientId });
    if (options.action) query = query.where({ action: options.action });
    if (options.before && /^\d{1,19}$/.test(options.before)) query = query.andWhere('id', '<', options.before);
    const rows = (await query.orderBy('id', 'desc').limit(options.limit)) as Row[];
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      action: r.action,
      operatorAccountId: r.operator_account_id,
      actor: r.actor,
      via: r.via,
      clientId: r.client_id ?? undefined,
      target: r.target ?? undefined,
      detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : (r.detail ?? undefined),
      ip: r.ip,
    }));
  }

  /** The latest approval of a claim for an institution: who and when (shown beside the claim). */
  async approvalOf(clientId: string, scope: string): Promise<TrailRow | undefined> {
    const rows = await this.list({ limit: 200, clientId, action: 'claims.approve' });
    return rows.find((r) => Array.isArray(r.detail?.added) && (r.detail.added as unknown[]).includes(scope));
  }
}

/** A CSV cell: quoted, quotes doubled, and a leading = + - @ defused so a spreadsheet shows it as text. */
function cell(value: unknown): string {
  let text =
    value === undefined || value === null
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const TRAIL_COLUMNS = ['id', 'at', 'action', 'actor', 'via', 'client_id', 'target', 'detail', 'ip'] as const;

export function trailCsv(rows: readonly TrailRow[]): string {
  const lines = [TRAIL_COLUMNS.join(',')];
  for (const r of rows) lines.push([r.id, r.at, r.action, r.actor, r.via, r.clientId, r.target, r.detail, r.ip].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function trailJson(rows: readonly TrailRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    action: r.action,
    actor: r.actor,
    via: r.via,
    client_id: r.clientId ?? null,
    target: r.target ?? null,
    detail: r.detail ?? null,
    ip: r.ip,
  }));
}
