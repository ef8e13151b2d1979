// The EXPLAIN of every statement on the measured paths (issue 24 point 1; DESIGN.md "Performance": the
// benchmark fails on a sequential scan of a table over 10,000 rows). The statements come from the
// server (bench/lib/probe.mjs keeps the first of each shape with its parameters while the growth
// scenarios run) and from the load generator's own storage calls (the registrar scenarios); each is
// planned with its own parameters on the grown database. EXPLAIN without ANALYZE: nothing runs, an
// INSERT or DELETE is only planned.

import pg from 'pg';
import type { SqlSample } from '../lib/servers.js';

export const SEQ_SCAN_LIMIT = 10_000;

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export interface Explained {
  statement: string; // the shape, shortened
  scans: string[]; // "Index Scan sign_ins (sign_ins_account_id_id_index)", "Seq Scan registrar_offices"
  seqScans: Array<{ table: string; rows: number }>; // sequential scans of tables over SEQ_SCAN_LIMIT rows
  error?: string;
}

/** Statements not worth planning: transaction control, settings, the catalogue, knex's migration lock. */
export function plannable(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (!/^(select|insert|update|delete|with)\b/.test(t)) return false;
  return !/\b(pg_catalog|information_schema|knex_migrations|pg_advisory|pg_try_advisory)\b/.test(t);
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** The tables a plan reads and how, and its sequential scans of tables over SEQ_SCAN_LIMIT rows (`sizes`: rows by table). */
export function readPlan(plan: PlanNode, sizes: ReadonlyMap<string, number>): Pick<Explained, 'scans' | 'seqScans'> {
  const scans: string[] = [];
  const seqScans: Explained['seqScans'] = [];
  walk(plan, (n) => {
    if (!n['Relation Name']) return;
    scans.push(`${n['Node Type']} ${n['Relation Name']}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`);
    const rows = sizes.get(n['Relation Name']) ?? 0;
    if (n['Node Type'] === 'Seq Scan' && rows > SEQ_SCAN_LIMIT) seqScans.push({ table: n['Relation Name'], rows });
  });
  return { scans, seqScans };
}

export const shapeOf = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/\$\d+(, ?\$\d+)*/g, '$n')
    .trim()
    .slice(0, 140);

/** Plans every sample on `url`; the tables' sizes are the planner's own (pg_class.reltuples after ANALYZE). */
export async function explainAll(url: string, samples: SqlSample[]): Promise<Explained[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sizes = new Map(
      (
        await client.query<{ relname: string; rows: number }>(`select relname, greatest(reltuples, 0)::float8 as rows from pg_class where relkind = 'r'`)
      ).rows.map((r) => [r.relname, r.rows]),
    );
    const seen = new Set<string>();
    const out: Explained[] = [];
    for (const s of samples) {
      if (!plannable(s.text)) continue;
      const statement = shapeOf(s.text);
      if (seen.has(statement)) continue;
      seen.add(statement);
      try {
        // knex's pg dialect and the fixed statements number their parameters ($1...): passed as they came.
        const res = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${s.text}`, s.values);
        out.push({ statement, ...readPlan(res.rows[0]!['QUERY PLAN'][0]!.Plan, sizes) });
      } catch (err) {
        out.push({ statement, scans: [], seqScans: [], error: (err as Error).message.split('\n')[0] });
      }
    }
    return out;
  } finally {
    await client.end();
  }
}
