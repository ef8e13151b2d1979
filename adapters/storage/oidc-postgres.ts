import type { Knex } from 'knex';
import type { Database, EndedSessionMarks, OidcAdapter, OidcPayload } from './port.js';
import { alreadyUsed, type AdapterOptions, epochNow, fromStored, GRANTABLE_MODELS, lookupKey, openLookupBox, recordKey, toStored } from './oidc-common.js';
import { fixedStatement, runFixed } from './fixed-sql.js';
import { batcherFor, type BatchShape, jsonList, RunAlone } from './statement-batch.js';
import { forgetRequestReads, keepAccountForRequest, keepForRequest, takeForRequest } from './request-reads.js';
import { ACCOUNT_COLUMNS } from '../../src/accounts/account-repository.js';

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

// The statements every token request runs (find, consume, upsert) are fixed SQL text sent through
// fixed-sql.ts rather than query-builder calls: the builder's per-call work was a visible share of a
// refresh grant's CPU (issue 8). Same semantics as the builder versions; times are the database's.
const FIND = fixedStatement(
  'oidc_find',
  `select payload, floor(extract(epoch from consumed_at))::float8 as consumed from ${TABLE}
  where model = ? and id = ? and (expires_at is null or expires_at > now()) limit 1`,
);
// A grant's records carry grant_id = sha256(grantId), and the grant itself is stored under the same hash
// (recordKey and lookupKey agree; checked again in find), so the grant comes with the token in one
// statement and waits for the Grant.find that oidc-provider runs next (request-reads.ts). Postgres looks the
// grant up by primary key once its statistics know grants are common; statistics taken while there were
// almost none can make it scan the (model, user_code) index instead until autovacuum analyses again.
//
// The account the token names comes along too (issue 27), for the findAccount of the same request: the
// columns AccountRepository reads, as one JSON value (null when there is no such account). accounts.id is a
// uuid: an accountId that is not one matches nothing instead of failing the cast (the CASE only casts
// what the pattern accepts), as AccountRepository.findById answers nobody for it.
const ACCOUNT_ID = `case when t.payload->>'accountId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  then (t.payload->>'accountId')::uuid end`;
const WITH_GRANT_AND_ACCOUNT = `t.grant_id, g.payload as grant_payload, floor(extract(epoch from g.consumed_at))::float8 as grant_consumed,
  to_jsonb(a) as account
  from ${TABLE} t left join ${TABLE} g on g.model = 'Grant' and g.id = t.grant_id and (g.expires_at is null or g.expires_at > now())
  left join lateral (select ${ACCOUNT_COLUMNS} from accounts where id = ${ACCOUNT_ID}) a on true`;
const FIND_WITH_GRANT = fixedStatement(
  'oidc_find_with_grant',
  `select t.payload, floor(extract(epoch from t.consumed_at))::float8 as consumed, ${WITH_GRANT_AND_ACCOUNT}
  where t.model = ? and t.id = ? and (t.expires_at is null or t.expires_at > now()) limit 1`,
);
const CONSUME = fixedStatement(
  'oidc_consume',
  `update ${TABLE} set consumed_at = to_timestamp(?::float8)
  where model = ? and id = ? and consumed_at is null and (expires_at is null or expires_at > now()) returning id`,
);
const UPSERT = fixedStatement(
  'oidc_upsert',
  `insert into ${TABLE} (model, id, payload, grant_id, uid, uid_box, user_code, user_code_box, expires_at, consumed_at)
  values (?, ?, ?::jsonb, ?, ?, ?, ?, ?, now() + make_interval(secs => ?::float8), to_timestamp(?::float8))
  on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
  uid_box = excluded.uid_box, user_code = excluded.user_code, user_code_box = excluded.user_code_box,
  expires_at = excluded.expires_at, consumed_at = excluded.consumed_at`,
);

// The same statements for several rows at once, sent by the batchers below (statement-batch.ts) when
// concurrent requests reach them in the same turn of the event loop. Lists travel as one JSON
// parameter, which node-postgres and knex.raw (PGlite) pass alike.
const IDS = `array(select jsonb_array_elements_text(?::jsonb))`;
const FIND_MANY = fixedStatement(
  'oidc_find_many',
  `select id, payload, floor(extract(epoch from consumed_at))::float8 as consumed from ${TABLE}
  where model = ? and id = any(${IDS}) and (expires_at is null or expires_at > now())`,
);
const FIND_WITH_GRANT_MANY = fixedStatement(
  'oidc_find_with_grant_many',
  `select t.id, t.payload, floor(extract(epoch from t.consumed_at))::float8 as consumed, ${WITH_GRANT_AND_ACCOUNT}
  where t.model = ? and t.id = any(${IDS}) and (t.expires_at is null or t.expires_at > now())`,
);
const CONSUME_MANY = fixedStatement(
  'oidc_consume_many',
  `update ${TABLE} set consumed_at = to_timestamp(?::float8)
  where model = ? and id = any(${IDS}) and consumed_at is null and (expires_at is null or expires_at > now()) returning id`,
);
const UPSERT_MANY = fixedStatement(
  'oidc_upsert_many',
  `insert into ${TABLE} (model, id, payload, grant_id, uid, uid_box, user_code, user_code_box, expires_at, consumed_at)
  select r.model, r.id, r.payload, r.grant_id, r.uid, r.uid_box, r.user_code, r.user_code_box,
  now() + make_interval(secs => r.expires_in), to_timestamp(r.consumed)
  from jsonb_to_recordset(?::jsonb) as r(model text, id text, payload jsonb, grant_id text, uid text, uid_box text,
  user_code text, user_code_box text, expires_in float8, consumed float8)
  on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
  uid_box = excluded.uid_box, user_code = excluded.user_code, user_code_box = excluded.user_code_box,
  expires_at = excluded.expires_at, consumed_at = excluded.consumed_at`,
);

interface Keyed {
  model: string;
  key: string;
}

function byId<R extends { id: string }>(rows: R[]): Map<string, R> {
  return new Map(rows.map((r) => [r.id, r]));
}

const findShape: BatchShape<Keyed, Row | undefined> = {
  name: 'oidc_find',
  groupKey: (k) => k.model,
  async many(db, items) {
    const rows = byId(await runFixed<Row & { id: string }>(db, FIND_MANY, [items[0]!.model, jsonList(items.map((k) => k.key))]));
    return items.map((k) => rows.get(k.key));
  },
  async one(db, k) {
    return (await runFixed<Row>(db, FIND, [k.model, k.key]))[0];
  },
};

const findWithGrantShape: BatchShape<Keyed, RowWithGrant | undefined> = {
  name: 'oidc_find_with_grant',
  groupKey: (k) => k.model,
  async many(db, items) {
    const rows = byId(await runFixed<RowWithGrant & { id: string }>(db, FIND_WITH_GRANT_MANY, [items[0]!.model, jsonList(items.map((k) => k.key))]));
    return items.map((k) => rows.get(k.key));
  },
  async one(db, k) {
    return (await runFixed<RowWithGrant>(db, FIND_WITH_GRANT, [k.model, k.key]))[0];
  },
};

/** Answers whether this caller's UPDATE marked the record consumed (false: used before, or gone). */
const consumeShape: BatchShape<Keyed, boolean> = {
  name: 'oidc_consume',
  groupKey: (k) => k.model,
  async many(db, items) {
    const updated = new Set(
      (await runFixed<{ id: string }>(db, CONSUME_MANY, [epochNow(), items[0]!.model, jsonList(items.map((k) => k.key))])).map((r) => r.id),
    );
    // The same token twice in one batch (two requests racing with one refresh token): the row was
    // updated once, and only the first of them consumed it; the second used it again.
    return items.map((k) => updated.delete(k.key));
  },
  async one(db, k) {
    return (await runFixed(db, CONSUME, [epochNow(), k.model, k.key])).length === 1;
  },
};

interface UpsertItem extends Keyed {
  stored: ReturnType<typeof toStored>;
  expiresIn: number | null;
}

const upsertShape: BatchShape<UpsertItem, void> = {
  name: 'oidc_upsert',
  async many(db, items) {
    // ON CONFLICT cannot touch one row twice in a statement; the batcher then runs them one by one, in order.
    if (new Set(items.map((u) => `${u.model}\u0000${u.key}`)).size !== items.length) throw new RunAlone();
    // The payload is already JSON text: it goes into the list as it is, not quoted again.
    const rows = items.map(
      (u) =>
        `{"model":${JSON.stringify(u.model)},"id":${JSON.stringify(u.key)},"payload":${u.stored.body},` +
        `"grant_id":${JSON.stringify(u.stored.grantKey ?? null)},"uid":${JSON.stringify(u.stored.uid?.key ?? null)},` +
        `"uid_box":${JSON.stringify(u.stored.uid?.box ?? null)},"user_code":${JSON.stringify(u.stored.userCode?.key ?? null)},` +
        `"user_code_box":${JSON.stringify(u.stored.userCode?.box ?? null)},"expires_in":${JSON.stringify(u.expiresIn)},` +
        `"consumed":${JSON.stringify(u.stored.consumed ?? null)}}`,
    );
    await runFixed(db, UPSERT_MANY, [`[${rows.join(',')}]`]);
    return items.map(() => undefined);
  },
  async one(db, u) {
    // A null interval or epoch gives a null time (no expiry, not consumed).
    await runFixed(db, UPSERT, [
      u.model,
      u.key,
      u.stored.body,
      u.stored.grantKey ?? null,
      u.stored.uid?.key ?? null,
      u.stored.uid?.box ?? null,
      u.stored.userCode?.key ?? null,
      u.stored.userCode?.box ?? null,
      u.expiresIn,
      u.stored.consumed ?? null,
    ]);
  },
};

interface RowWithGrant extends Row {
  grant_id: string | null;
  grant_payload: OidcPayload | null;
  grant_consumed: number | null;
  /** The token's account as a JSON object of ACCOUNT_COLUMNS; null when there is none. */
  account: Record<string, unknown> | null;
}

function notExpired(db: Database) {
  return (q: Knex.QueryBuilder): void => {
    void q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
  };
}

// Marks of ended sessions (issue 25) are rows of their own model, under sha256(uid).
const ENDED_SESSION_MODEL = 'EndedSession';

export class PostgresOidcAdapter implements OidcAdapter, EndedSessionMarks {
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
    const stored = toStored(this.#model, id, payload);
    forgetRequestReads();
    // One statement: the replaced version's indexes and consumed mark go with it.
    await batcherFor(this.#db, upsertShape).run({
      model: this.#model,
      key: stored.key,
      stored,
      expiresIn: typeof expiresIn === 'number' ? expiresIn : null,
    });
    // A session that was ended is not written back by a request that loaded it before the ending: the
    // mark is read after the write (the ending marks before it destroys), and a marked version goes.
    if (stored.uid && (await this.#sessionEnded(stored.uid.key))) await this.destroy(id);
  }

  async #sessionEnded(uidKey: string): Promise<boolean> {
    const row = await this.#db(TABLE).first('id').where({ model: ENDED_SESSION_MODEL, id: uidKey }).andWhere('expires_at', '>', this.#db.fn.now());
    return row !== undefined;
  }

  async markSessionEnded(uid: string, ttlSeconds: number): Promise<void> {
    await this.#db.raw(
      `insert into ${TABLE} (model, id, payload, expires_at) values (?, ?, '{}'::jsonb, now() + make_interval(secs => ?::float8))
       on conflict (model, id) do update set expires_at = greatest(${TABLE}.expires_at, excluded.expires_at)`,
      [ENDED_SESSION_MODEL, lookupKey(uid), ttlSeconds],
    );
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    if (this.#model === 'Grant') {
      const readAhead = takeForRequest(this.#model, id);
      if (readAhead) return readAhead;
    }
    if (GRANTABLE_MODELS.has(this.#model)) return this.#findWithGrant(id);
    const row = await batcherFor(this.#db, findShape).run({ model: this.#model, key: recordKey(id) });
    return row ? fromStored(id, row.payload, row.consumed ?? undefined) : undefined;
  }

  async #findWithGrant(id: string): Promise<OidcPayload | undefined> {
    const row = await batcherFor(this.#db, findWithGrantShape).run({ model: this.#model, key: recordKey(id) });
    if (!row) return undefined;
    const grantId = row.payload.grantId;
    // Only a grant that was found, under the key Grant.find itself would read: otherwise that find asks
    // the database as usual.
    if (row.grant_payload && typeof grantId === 'string' && row.grant_id === recordKey(grantId)) {
      keepForRequest('Grant', grantId, fromStored(grantId, row.grant_payload, row.grant_consumed ?? undefined));
    }
    // The account, for the findAccount that follows (AccountRepository.findByIdInRequest). None found: that
    // read asks the database as usual.
    const accountId = row.payload.accountId;
    if (row.account && typeof accountId === 'string') keepAccountForRequest(accountId, row.account);
    return fromStored(id, row.payload, row.consumed ?? undefined);
  }

  async findByUid(uid: string): Promise<OidcPayload | undefined> {
    const row = (await this.#select()
      .select('uid_box')
      .andWhere({ uid: lookupKey(uid) })
      .first()) as Row | undefined;
    const id = row?.uid_box ? openLookupBox(row.uid_box, uid, 'uid') : undefined;
    if (!row || !id || row.payload.uid !== uid) return undefined;
    return fromStored(id, row.payload, row.consumed ?? undefined);
  }

  async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
    const row = (await this.#select()
      .select('user_code_box')
      .andWhere({ user_code: lookupKey(userCode) })
      .first()) as Row | undefined;
    const id = row?.user_code_box ? openLookupBox(row.user_code_box, userCode, 'userCode') : undefined;
    if (!row || !id || row.payload.userCode !== userCode) return undefined;
    return fromStored(id, row.payload, row.consumed ?? undefined);
  }

  async consume(id: string): Promise<void> {
    const db = this.#db;
    const key = recordKey(id);
    // Atomic single use: under concurrent updates Postgres re-checks "consumed_at is null" on the row
    // version the first committer left, so exactly one UPDATE matches.
    if (await batcherFor(db, consumeShape).run({ model: this.#model, key })) return;

    const row = (await db(TABLE).select('payload').where({ model: this.#model, id: key }).first()) as Pick<Row, 'payload'> | undefined;
    const grantId = row?.payload.grantId;
    if (typeof grantId === 'string') await (this.#options.onReplay ?? ((g) => this.revokeByGrantId(g)))(grantId);
    throw alreadyUsed();
  }

  async destroy(id: string): Promise<void> {
    forgetRequestReads();
    await this.#db(TABLE)
      .where({ model: this.#model, id: recordKey(id) })
      .delete();
  }

  /**
   * Takes back a consume whose request then failed before its answer left (src/oidc/rotation-rollback.ts):
   * the record is usable again. Only a consumed record is touched, so a call for a record that was never
   * consumed, or is gone, does nothing.
   */
  async restoreConsumed(id: string): Promise<void> {
    forgetRequestReads();
    await this.#db(TABLE)
      .where({ model: this.#model, id: recordKey(id) })
      .whereNotNull('consumed_at')
      .update({ consumed_at: null });
  }

  /** Deletes every model of the grant held in this table, whatever this adapter's model. */
  async revokeByGrantId(grantId: string): Promise<void> {
    forgetRequestReads();
    await this.#db(TABLE)
      .where({ grant_id: lookupKey(grantId) })
      .delete();
  }
}

/**
 * Deletes expired rows of oidc_models in batches (short statements, no long lock); returns how many.
 * Run periodically: find() already ignores them, this only reclaims the space. Each batch reads the
 * row addresses through the expires_at index and deletes by address (a TID scan): written as
 * `(model, id) in (subquery)`, the planner joined the subquery to a sequential scan of the whole table
 * (found by the data-growth benchmark's EXPLAIN, docs/performance.md). A row updated meanwhile has a new
 * address and is left for the next run. `order by expires_at` walks the index from the oldest: with a
 * plain `limit` the planner may prefer a sequential scan that stops at the first expired rows it meets,
 * which reads the whole table once few are left (and every batch again past the dead rows of the last).
 */
export async function purgeExpired(db: Database, batchSize = 1000, pause = 1): Promise<number> {
  let total = 0;
  for (;;) {
    const started = performance.now();
    const result = (await db.raw(
      `delete from ${TABLE} where ctid = any(array(select ctid from ${TABLE} where expires_at <= now() order by expires_at limit ?)) returning id`,
      [batchSize],
    )) as { rows?: unknown[] } | unknown[];
    // Counted from RETURNING rows: knex-pglite does not report a DELETE's row count as a number.
    const deleted = Array.isArray(result) ? result : (result.rows ?? []);
    total += deleted.length;
    if (deleted.length < batchSize) return total;
    // As the personal-data purge (src/security/retention.ts): as long a pause as the batch took, so the
    // sign-ins beside it keep their latency.
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, (performance.now() - started) * pause)));
  }
}

// The Client model reads the clients table; it lives in its own file.
export { PostgresClientAdapter, clientSecretContext } from './oidc-client-postgres.js';
