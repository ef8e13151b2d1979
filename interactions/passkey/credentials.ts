import type { Database } from '../../adapters/storage/port.js';

// The passkeys' storage port: what the login step and the account pages ask of stored credentials.
// Every change names the account it is made for, so a person can only ever touch her own passkeys.

/** Synced between the person's devices (a cloud keychain) or bound to one authenticator. */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

export interface Passkey {
  /** Kapı's id of the passkey (the account pages' URLs). */
  id: string;
  /** The WebAuthn credential id (base64url), as the authenticator sends it back. */
  credentialId: string;
  accountId: string;
  /** The WebAuthn user handle (base64url): random, one per account, never the identity number. */
  userHandle: string;
  /** The COSE public key (base64url). */
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewPasskey = Omit<Passkey, 'id' | 'createdAt' | 'lastUsedAt'>;

export interface PasskeyStore {
  /** 'in_use': this credential is registered already (to this person or another). */
  add(passkey: NewPasskey, trx?: Database): Promise<Passkey | 'in_use'>;
  findByCredentialId(credentialId: string): Promise<Passkey | undefined>;
  /** The person's passkey with this id; undefined for another person's. */
  findOwn(accountId: string, id: string): Promise<Passkey | undefined>;
  list(accountId: string): Promise<Passkey[]>;
  hasAny(accountId: string): Promise<boolean>;
  /** The account's user handle, if she has a passkey (a new one gets the same handle). */
  userHandleOf(accountId: string): Promise<string | undefined>;
  /**
   * After a verified sign-in: the new counter and backed-up flag, only if the counter is still the one
   * the check was made against (two sign-ins with one counter value: only one is recorded).
   */
  recordUse(id: string, seen: { counter: number }, now: { counter: number; backedUp: boolean }): Promise<boolean>;
  rename(accountId: string, id: string, name: string): Promise<boolean>;
  remove(accountId: string, id: string, trx?: Database): Promise<boolean>;
}
