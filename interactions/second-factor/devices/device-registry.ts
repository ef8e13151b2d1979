import type { JWK } from 'jose';
import type { Database } from '../../../adapters/storage/port.js';

// The registered devices of the mobile app (the second factors' storage port; in SQL:
// adapters/sql/device-registry.ts). A device is its public key (P-256) and its push token, which is
// kept sealed (whoever holds it can send notifications to the phone); the key is public.

export interface RegisteredDevice {
  id: string;
  accountId: string;
  name: string;
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: one key, one device, across all accounts. */
  jkt: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface DeviceRegistry {
  /** A new device of the account; `key_in_use` when its key already belongs to a device (one key, one device). */
  register(
    accountId: string,
    input: { name: string; publicJwk: JWK; pushToken?: string | undefined },
    trx?: Database,
  ): Promise<RegisteredDevice | 'key_in_use'>;
  find(id: string): Promise<RegisteredDevice | undefined>;
  list(accountId: string): Promise<RegisteredDevice[]>;
  /** Asked on every sign-in (which second factors can this person use?): cheap. */
  hasAny(accountId: string): Promise<boolean>;
  /** The unsealed push tokens of the account's devices. */
  pushTargets(accountId: string): Promise<{ deviceId: string; token: string }[]>;
  touch(id: string): Promise<void>;
  delete(accountId: string, id: string, trx?: Database): Promise<boolean>;
}
