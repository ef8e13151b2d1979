import type { Account } from './account.js';

/** Levels at which a phone's verification makes it fit to confirm a sign-in. */
const FIT_LEVELS = new Set(['substantial', 'high', 'registry']);

/**
 * The phone the SMS second factor may use (DESIGN.md "Phones for the SMS second factor"): verified in
 * a session of level `substantial` or higher, or taken from the population registry, so that a stolen
 * password alone cannot add the phone that then confirms it. A phone verified at `low`, or at an unknown
 * level (verified before the level was recorded), does not qualify.
 */
export function secondFactorPhone(account: Account): string | undefined {
  if (!account.phone || !account.phoneVerified) return undefined;
  return FIT_LEVELS.has(account.phoneVerifiedAcr ?? '') ? account.phone : undefined;
}
