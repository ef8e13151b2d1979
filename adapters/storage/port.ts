import type { Knex } from 'knex';

// Storage ports. Postgres (or embedded PGlite) holds what must last, reached through knex.
// The StateStore holds what is short-lived and hot: Redis when REDIS_URL is set, process memory otherwise.

export type Database = Knex;

/** Short-lived keyed state with expiry, atomic single-use operations and pub/sub. */
export interface StateStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when absent; true when this call set it (locks, single-use markers). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Replaces the value only when it still equals `expected` (null: absent); true on success. */
  compareAndSet(key: string, expected: string | null, next: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes and returns the value atomically (null when absent). */
  take(key: string): Promise<string | null>;
  del(key: string): Promise<void>;
  /** Increments a counter, setting its expiry when it is created; returns the new value. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Seconds left before the key expires, or null when it does not exist. */
  ttl(key: string): Promise<number | null>;
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; the returned function unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The oidc-provider adapter contract (see oidc-provider's docs/README "adapter"). */
export interface OidcPayload {
  [key: string]: unknown;
  jti?: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number | boolean;
}

export interface OidcAdapter {
  /** expiresIn is absent for records that never expire. */
  upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/**
 * Kapı's addition for the Session model (issue 25): an ended session stays ended. oidc-provider saves
 * a session at the end of every request that loaded it, so a request in flight while the session is
 * ended would write it back. A session uid marked here is never stored again while the mark lives: an
 * upsert of a session with that uid leaves nothing behind.
 */
export interface EndedSessionMarks {
  markSessionEnded(uid: string, ttlSeconds: number): Promise<void>;
}

/** Models kept in Postgres can take back a consume whose request failed (refresh token rotation). */
export interface ConsumeRestore {
  restoreConsumed(id: string): Promise<void>;
}

export type OidcAdapterFactory = (modelName: string) => OidcAdapter;
