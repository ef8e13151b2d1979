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

// The three statements every token request runs (find, consume, upsert) are fixed SQL text rather than
// query-builder calls: the builder's per-call compilation was a visible share of a refresh grant's CPU
// (issue 8). Same semantics as the builder versions; times are the database's.
const FIND_SQL = `select payload, floor(extract(epoch from consumed_at))::float8 as consumed from ${TABLE}
  where model = ? and id = ? and (expires_at is null or expires_at > now()) limit 1`;
const CONSUME_SQL = `update ${TABLE} set consumed_at = to_timestamp(?::float8)
  where model = ? and id = ? and consumed_at is null and (expires_at is null or expires_at > now()) returning id`;
const UPSERT_SQL = `insert into ${TABLE} (model, id, payload, grant_id, uid, uid_box, user_code, user_code_box, expires_at, consumed_at)
  values (?, ?, ?::jsonb, ?, ?, ?, ?, ?, now() + make_interval(secs => ?::float8), to_timestamp(?::float8))
  on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
  uid_box = excluded.uid_box, user_code = excluded.user_code, user_code_box = excluded.user_code_box,
  expires_at = excluded.expires_at, consumed_at = excluded.consumed_at`;

/** Rows of a raw statement: node-postgres and PGlite both answer `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

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
    // One statement: the replaced version's indexes and consumed mark go with it. A null interval or
    // epoch gives a null time (no expiry, not consumed).
    await db.raw(UPSERT_SQL, [
      this.#model,
      stored.key,
      stored.body,
      stored.grantKey ?? null,
      stored.uid?.key ?? null,
      stored.uid?.box ?? null,
      stored.userCode?.key ?? null,
      stored.userCode?.box ?? null,
      typeof expiresIn === 'number' ? expiresIn : null,
      stored.consumed ?? null,
    ]);
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    const [row] = rowsOf<Row>(await this.#db.raw(FIND_SQL, [this.#model, recordKey(id)]));
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
    const updated = rowsOf(await db.raw(CONSUME_SQL, [epochNow(), this.#model, key]));
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
