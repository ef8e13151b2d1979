import { randomUUID } from 'node:crypto';
import type { Database } from '../../adapters/storage/port.js';
import type { NewPasskey, Passkey, PasskeyDeviceType, PasskeyStore } from './credentials.js';

// The passkey store in the database (table passkey_credentials, ./migrations), through the storage
// port's handle: this folder never imports knex.

interface Row {
  id: string;
  credential_id: string;
  account_id: string;
  user_handle: string;
  public_key: string;
  counter: string | number;
  transports: string | null;
  device_type: string;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const TABLE = 'passkey_credentials';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toPasskey(row: Row): Passkey {
  return {
    id: row.id,
    credentialId: row.credential_id,
    accountId: row.account_id,
    userHandle: row.user_handle,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports ? (JSON.parse(row.transports) as string[]) : [],
    deviceType: row.device_type as PasskeyDeviceType,
    backedUp: row.backed_up,
    name: row.name,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  };
}

export class SqlPasskeyStore implements PasskeyStore {
  constructor(private readonly db: Database) {}

  async add(p: NewPasskey, trx: Database = this.db): Promise<Passkey | 'in_use'> {
    const rows = (await trx(TABLE)
      .insert({
        id: randomUUID(),
        credential_id: p.credentialId,
        account_id: p.accountId,
        user_handle: p.userHandle,
        public_key: p.publicKey,
        counter: p.counter,
        transports: p.transports.length ? JSON.stringify(p.transports) : null,
        device_type: p.deviceType,
        backed_up: p.backedUp,
        name: p.name,
      })
      .onConflict('credential_id')
      .ignore()
      .returning('*')) as Row[];
    return rows[0] ? toPasskey(rows[0]) : 'in_use';
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | undefined> {
    const row = (await this.db(TABLE).where({ credential_id: credentialId }).first()) as Row | undefined;
    return row ? toPasskey(row) : undefined;
  }

  async findOwn(accountId: string, id: string): Promise<Passkey | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = (await this.db(TABLE).where({ id, account_id: accountId }).first()) as Row | undefined;
    return row ? toPasskey(row) : undefined;
  }

  async list(accountId: string): Promise<Passkey[]> {
    const rows = (await this.db(TABLE).where({ account_id: accountId }).orderBy('created_at', 'asc')) as Row[];
    return rows.map(toPasskey);
  }

  async hasAny(accountId: string): Promise<boolean> {
    return Boolean(await this.db(TABLE).where({ account_id: accountId }).first('id'));
  }

  async userHandleOf(accountId: string): Promise<string | undefined> {
    const row = (await this.db(TABLE).where({ account_id: accountId }).first('user_handle')) as { user_handle: string } | undefined;
    return row?.user_handle;
  }

  async recordUse(id: string, seen: { counter: number }, now: { counter: number; backedUp: boolean }): Promise<boolean> {
    const changed = await this.db(TABLE)
      .where({ id, counter: seen.counter })
      .update({ counter: now.counter, backed_up: now.backedUp, last_used_at: this.db.fn.now() });
    return changed === 1;
  }

  async rename(accountId: string, id: string, name: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return (await this.db(TABLE).where({ id, account_id: accountId }).update({ name })) === 1;
  }

  /** Kapı's ids of the account's passkeys registered at or after `since` (DB time, as the sign-in records'). */
  async addedSince(accountId: string, since: Date): Promise<string[]> {
    const rows = (await this.db(TABLE).where({ account_id: accountId }).andWhere('created_at', '>=', since).select('id')) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async remove(accountId: string, id: string, trx: Database = this.db): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return (await trx(TABLE).where({ id, account_id: accountId }).del()) === 1;
  }
}
