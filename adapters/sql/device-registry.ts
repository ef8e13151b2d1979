import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { DeviceRegistry, RegisteredDevice } from '../../interactions/second-factor/devices/device-registry.js';
import type { Sealer } from '../../src/security/crypto.js';
import { fixedStatement, runFixed } from '../storage/fixed-sql.js';

// Asked by the sign-in policies on every sign-in (which second factors can this person use?): fixed SQL (issue 8).
const ANY_DEVICE = fixedStatement('device_any', 'select 1 from registered_devices where account_id = ? limit 1');

// The registered devices of the mobile app: a device is its public key (P-256) and its push token.
// The push token is sealed (whoever holds it can send notifications to the phone); the key is public.

interface DeviceRow {
  id: string;
  account_id: string;
  name: string;
  public_jwk: string;
  jkt: string;
  push_token_sealed: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

function toDevice(row: DeviceRow): RegisteredDevice {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    jkt: row.jkt,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only a P-256 public key is accepted: no private part, no other curve. */
export function publicP256(jwk: Record<string, unknown>): JWK | undefined {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || 'd' in jwk) return undefined;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** The device registry port (interactions/second-factor/devices/device-registry.ts) in SQL. */
export class SqlDeviceRegistry implements DeviceRegistry {
  constructor(
    private readonly db: Knex,
    private readonly sealer: Sealer,
  ) {}

  async register(
    accountId: string,
    input: { name: string; publicJwk: JWK; pushToken?: string | undefined },
    trx: Knex = this.db,
  ): Promise<RegisteredDevice | 'key_in_use'> {
    const id = randomUUID();
    const jkt = await calculateJwkThumbprint(input.publicJwk, 'sha256');
    const rows = await trx('registered_devices')
      .insert({
        id,
        account_id: accountId,
        name: input.name,
        public_jwk: JSON.stringify(input.publicJwk),
        jkt,
        push_token_sealed: input.pushToken ? this.sealer.seal(input.pushToken, `device-push:${id}`) : null,
      })
      .onConflict('jkt')
      .ignore()
      .returning('*');
    const row = (rows as DeviceRow[])[0];
    return row ? toDevice(row) : 'key_in_use';
  }

  async find(id: string): Promise<RegisteredDevice | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.db<DeviceRow>('registered_devices').where({ id }).first();
    return row ? toDevice(row) : undefined;
  }

  async list(accountId: string): Promise<RegisteredDevice[]> {
    const rows = await this.db<DeviceRow>('registered_devices').where({ account_id: accountId }).orderBy('created_at', 'asc');
    return rows.map(toDevice);
  }

  async hasAny(accountId: string): Promise<boolean> {
    return (await runFixed(this.db, ANY_DEVICE, [accountId])).length > 0;
  }

  /** Push tokens of an account's devices (opened only to send). */
  async pushTargets(accountId: string): Promise<{ deviceId: string; token: string }[]> {
    const rows = await this.db<DeviceRow>('registered_devices').where({ account_id: accountId }).whereNotNull('push_token_sealed');
    return rows.map((r) => ({ deviceId: r.id, token: this.sealer.open(r.push_token_sealed!, `device-push:${r.id}`) }));
  }

  async touch(id: string): Promise<void> {
    await this.db('registered_devices').where({ id }).update({ last_used_at: this.db.fn.now() });
  }

  /** Deletes one of the account's devices; true when it existed. */
  async delete(accountId: string, id: string, trx: Knex = this.db): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const deleted = await trx('registered_devices').where({ id, account_id: accountId }).delete();
    return deleted === 1;
  }
}
