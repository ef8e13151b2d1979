import { describe, expect, it } from '@jest/globals';
import { plannable, readPlan, type PlanNode } from '../../bench/data-growth/explain.js';

// The benchmark's data-growth check (bench/data-growth/explain.ts; DESIGN.md "Performance"): a
// sequential scan of a table over 10,000 rows anywhere in a statement's plan fails the benchmark; a
// small table may be scanned, and index scans are listed as they are.

const sizes = new Map([
  ['sign_ins', 10_000_000],
  ['registrar_offices', 1_000],
  ['claim_releases', 10_001],
]);

describe('the EXPLAIN check of the data-growth benchmark', () => {
  it('finds a sequential scan of a large table deep in a plan', () => {
    const plan: PlanNode = {
      'Node Type': 'Delete',
      'Relation Name': 'sign_ins',
      Plans: [
        {
          'Node Type': 'Hash Semi Join',
          Plans: [
            { 'Node Type': 'Seq Scan', 'Relation Name': 'sign_ins' },
            { 'Node Type': 'Hash', Plans: [] },
          ],
        },
      ],
    };
    expect(readPlan(plan, sizes).seqScans).toEqual([{ table: 'sign_ins', rows: 10_000_000 }]);
  });

  it('lets a small table be scanned and lists index scans with their index', () => {
    const plan: PlanNode = {
      'Node Type': 'Nested Loop',
      Plans: [
        { 'Node Type': 'Seq Scan', 'Relation Name': 'registrar_offices' },
        { 'Node Type': 'Index Scan', 'Relation Name': 'claim_releases', 'Index Name': 'claim_releases_account_client_id_index' },
      ],
    };
    const read = readPlan(plan, sizes);
    expect(read.seqScans).toEqual([]);
    expect(read.scans).toEqual(['Seq Scan registrar_offices', 'Index Scan claim_releases (claim_releases_account_client_id_index)']);
    expect(readPlan({ 'Node Type': 'Seq Scan', 'Relation Name': 'claim_releases' }, sizes).seqScans).toHaveLength(1);
  });

  it('plans reads and writes, not transaction control or the catalogue', () => {
    expect(plannable('select * from sign_ins where account_id = $1')).toBe(true);
    expect(plannable('  DELETE from "sign_ins" where id = any(array(select id from sign_ins limit 3))')).toBe(true);
    expect(plannable('BEGIN')).toBe(false);
    expect(plannable('select * from pg_catalog.pg_class')).toBe(false);
    expect(plannable('select * from knex_migrations')).toBe(false);
  });
});
