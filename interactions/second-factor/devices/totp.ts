import type { Database } from '../../../adapters/storage/port.js';

// The e-Government Key (TOTP, RFC 6238): the second factors' storage port; in SQL with the code
// checks: adapters/sql/totp-store.ts. The secret is sealed with the master key; a code is accepted once.

export interface TotpState {
  active: boolean;
  activatedAt: Date | null;
}

export type TotpCheck = 'ok' | 'invalid' | 'reused';

export interface TotpStore {
  state(accountId: string): Promise<TotpState | undefined>;
  isActive(accountId: string): Promise<boolean>;
  /** A new secret awaiting its first code (`already_active` when a key is in use). */
  begin(accountId: string, label: string): Promise<{ secret: string; uri: string } | 'already_active'>;
  /** The secret awaiting its first code, if any. */
  pending(accountId: string, label: string): Promise<{ secret: string; uri: string } | undefined>;
  check(accountId: string, code: string, options?: { activate?: boolean; trx?: Database }): Promise<TotpCheck>;
  deactivate(accountId: string, trx?: Database): Promise<boolean>;
}
