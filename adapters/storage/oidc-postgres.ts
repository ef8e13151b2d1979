import type { Knex } from 'knex';
import type { Database, OidcAdapter, OidcPayload } from './port.js';
import {
  alreadyUsed,
  type AdapterOptions,
  epochNow,
  fromStored,
  lookupKey,
  openLookupBox,
  recordKey,
  toStored,
} from './oidc-common.js';

// oidc-provider models in the table oidc_models (Grant and RefreshToken in production; every model
// works, so the contract suite runs here too). Times are the database's (now()), never this
// process's clock, so several processes with skewed clocks agree on what has expired.

interface Row {
  payload: OidcPayload;
  consumed: number | null;
  uid_box?: string | null;
  user_code_box?: string | null;
}

const TABLE = 'oidc_models';

function notExpired(db: Database) {
  return (q: Knex.QueryBuilder): void => {
    void q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
  };
}

export class PostgresOidcAdapter implements OidcAdapter {
  readonly #model: string;
  readonly #db: Database;
  readonly #options: AdapterOptions;

  constructor(model: string, db: Database, options: AdapterOptions = {}) {
    this.#model = model;
    this.#db = db;
    this.#options = options;
  }

  #select(): Knex.QueryBuilder {
    return this.#db(TABLE)
      .select('payload', this.#db.raw('floor(extract(epoch from consumed_at))::float8 as consumed'))
      .where({ model: this.#model })
      .where(notExpired(this.#db));
  }

  async upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    const db = this.#db;
    const stored = toStored(this.#model, id, payload);
    // One statement: the replaced version's indexes and consumed mark go with it.
    await db(TABLE)
      .insert({
        model: this.#model,
        id: stored.key,
        payload: stored.body,
        grant_id: stored.grantKey ?? null,
        uid: stored.uid?.key ?? null,
        uid_box: stored.uid?.box ?? null,
        user_code: stored.userCode?.key ?? null,
        user_code_box: stored.userCode?.box ?? null,
        expires_at: typeof expiresIn === 'number' ? db.raw('now() + make_interval(secs => ?)', [expiresIn]) : null,
        consumed_at: stored.consumed === undefined ? null : db.raw('to_timestamp(?)', [stored.consumed]),
      })
      .onConflict(['model', 'id'])
      .merge();
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    const row = (await this.#select().andWhere({ id: recordKey(id) }).first()) as Row | undefined;
    return row ? fromStored(id, row.payload, row.consumed ?? undefined) : undefined;
  }

  async findByUid(uid: string): Promise<OidcPayload | undefined> {
    const row = (await this.#select().select('uid_box').andWhere({ uid: lookupKey(uid) }).first()) as Row | undefined;
    const id = row?.uid_box ? openLookupBox(row.uid_box, uid, 'uid') : undefined;
    if (!row || !id || row.payload.uid !== uid) return undefined;
    return fromStored(id, row.payload, row.consumed ?? undefined);
  }

  async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
    const row = (await this.#select().select('user_code_box').andWhere({ user_code: lookupKey(userCode) }).first()) as
      | Row
      | undefined;
    const id = row?.user_code_box ? openLookupBox(row.user_code_box, userCode, 'userCode') : undefined;
    if (!row || !id || row.payload.userCode !== userCode) return undefined;
    return fromStored(id, row.payload, row.consumed ?? undefined);
  }

  async consume(id: string): Promise<void> {
    const db = this.#db;
    const key = recordKey(id);
    // Atomic single use: under concurrent updates Postgres re-checks "consumed_at is null" on the row
    // version the first committer left, so exactly one UPDATE matches.
    const updated = await db(TABLE)
      .where({ model: this.#model, id: key })
      .whereNull('consumed_at')
      .where(notExpired(db))
      .update({ consumed_at: db.raw('to_timestamp(?)', [epochNow()]) }, ['id']);
    if (updated.length === 1) return;

    const row = (await db(TABLE).select('payload').where({ model: this.#model, id: key }).first()) as
      | Pick<Row, 'payload'>
      | undefined;
    const grantId = row?.payload.grantId;
    if (typeof grantId === 'string') await (this.#options.onReplay ?? ((g) => this.revokeByGrantId(g)))(grantId);
    throw alreadyUsed();
  }

  async destroy(id: string): Promise<void> {
    await this.#db(TABLE).where({ model: this.#model, id: recordKey(id) }).delete();
  }

  /** Deletes every model of the grant held in this table, whatever this adapter's model. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#db(TABLE).where({ grant_id: lookupKey(grantId) }).delete();
  }
}

/**
 * Deletes expired rows of oidc_models in batches (short statements, no long lock); returns how many.
 * Run periodically: find() already ignores them, this only reclaims the space.
 */
export async function purgeExpired(db: Database, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db(TABLE)
      .whereIn(['model', 'id'], db(TABLE).select('model', 'id').where('expires_at', '<=', db.fn.now()).limit(batchSize))
      // Counted from RETURNING rows: knex-pglite does not report a DELETE's row count as a number.
      .delete(['id']);
    total += deleted.length;
    if (deleted.length < batchSize) return total;
  }
}

// The Client model reads the clients table; it lives in its own file.
export { PostgresClientAdapter, clientSecretContext } from './oidc-client-postgres.js';
