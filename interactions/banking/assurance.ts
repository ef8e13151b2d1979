import { type Acr, rank } from '../../src/assurance/levels.js';
import type { BankAssurance } from './banks.js';

// What a bank login is worth in Kapı's terms. Federation never reaches `high` (DESIGN.md: online
// banking is `substantial`); a bank's mapping can only lower that.

const CEILING: Acr = 'substantial';
const lower = (a: Acr, b: Acr): Acr => (rank(a) <= rank(b) ? a : b);

/** RFC 8176 values look like short lowercase tokens; anything else a bank sends is dropped. */
const AMR_VALUE = /^[a-z0-9_-]{1,32}$/;

export function bankLevel(assurance: BankAssurance, bankAcr: string | undefined, bankAmr: readonly string[]): Acr {
  let level = assurance.defaultAcr;
  if (bankAcr !== undefined && Object.keys(assurance.acrMap).length) {
    level = Object.hasOwn(assurance.acrMap, bankAcr) ? assurance.acrMap[bankAcr]! : 'low';
  }
  const passwordOnly = bankAmr.length > 0 && bankAmr.every((v) => v === 'pwd');
  if (passwordOnly) level = lower(level, assurance.passwordOnlyAcr);
  return lower(level, CEILING);
}

/** The session's amr for a bank login: `fed`, then what the bank reported (RFC 8176). */
export function bankAmr(reported: readonly string[]): string[] {
  const values = reported.filter((v) => AMR_VALUE.test(v) && v !== 'fed').slice(0, 8);
  return ['fed', ...new Set(values)];
}
