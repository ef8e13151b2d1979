import { log } from '../../src/log.js';
import type { Database } from './port.js';

// Group commit for the token path's statements (issue 8). Requests handled in the same turn of the event
// loop often reach the same statement at the same moment (a burst of refresh grants all read a token,
// then all read an account, then all insert a token). Each statement costs a socket write and a wake-up
// of a Postgres backend, and under load those writes were the largest share of a grant's CPU. A batcher
// collects the statements of one shape queued in this turn and sends them as one, after the turn
// (setImmediate), so a lone request waits for nothing but the end of its own turn.
//
// What keeps the behaviour:
// - every caller still awaits its own row: nothing is answered before the statement holding it has
//   run (a write is committed when its caller continues, as before);
// - a batch is one statement, so it is atomic: if it fails, no row of it was written, and each item is
//   then run alone, one after the other in the order they came, so that one bad item fails only its own
//   caller and a transient error is retried once;
// - inside a transaction nothing is batched: the statement runs in the caller's transaction at once.

export interface BatchShape<Item, Result> {
  /** For reading and profiles only. */
  readonly name: string;
  /** Items with different keys never share a statement (e.g. different models). */
  groupKey?(item: Item): string;
  /** Runs several items as one statement; answers one result per item, in the items' order. */
  many(db: Database, items: Item[]): Promise<Result[]>;
  /** Runs one item alone: in a transaction, for a batch of one, and to isolate a failed batch. */
  one(db: Database, item: Item): Promise<Result>;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** At most this many items share a statement: a longer batch is split, so no statement grows without bound. */
export const MAX_BATCH = 64;

function inTransaction(db: Database): boolean {
  return Boolean((db as { isTransaction?: boolean }).isTransaction);
}

export class StatementBatcher<Item, Result> {
  readonly #db: Database;
  readonly #shape: BatchShape<Item, Result>;
  #queued = new Map<string, Array<Waiting<Item, Result>>>();
  #scheduled = false;
  /** Statements sent and items they carried (a batch that failed and ran item by item counts each). */
  readonly counts = { statements: 0, items: 0, failedBatches: 0 };

  constructor(db: Database, shape: BatchShape<Item, Result>) {
    this.#db = db;
    this.#shape = shape;
  }

  run(item: Item): Promise<Result> {
    if (inTransaction(this.#db)) return this.#shape.one(this.#db, item);
    return new Promise<Result>((resolve, reject) => {
      const key = this.#shape.groupKey?.(item) ?? '';
      let queue = this.#queued.get(key);
      if (!queue) this.#queued.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const queued = this.#queued;
    this.#queued = new Map();
    this.#scheduled = false;
    for (const queue of queued.values()) {
      for (let start = 0; start < queue.length; start += MAX_BATCH) void this.#send(queue.slice(start, start + MAX_BATCH));
    }
  }

  async #send(batch: Array<Waiting<Item, Result>>): Promise<void> {
    this.counts.items += batch.length;
    if (batch.length === 1) {
      const [only] = batch as [Waiting<Item, Result>];
      this.counts.statements++;
      await this.#shape.one(this.#db, only.item).then(only.resolve, only.reject);
      return;
    }
    let results: Result[];
    this.counts.statements++;
    try {
      results = await this.#shape.many(
        this.#db,
        batch.map((w) => w.item),
      );
      if (results.length !== batch.length) throw new Error(`${this.#shape.name}: ${results.length} results for ${batch.length} items`);
    } catch (err) {
      // Nothing of the batch was written (one statement); each item runs alone, in order. Only the
      // error's class and code are logged: a database message may quote a value.
      if (!(err instanceof RunAlone)) {
        this.counts.failedBatches++;
        const { name, code } = err as { name?: string; code?: string };
        log.warn({ statement: this.#shape.name, items: batch.length, error: name, code }, 'batched statement failed; running its items one by one');
      }
      for (const w of batch) {
        this.counts.statements++;
        await this.#shape.one(this.#db, w.item).then(w.resolve, w.reject);
      }
      return;
    }
    batch.forEach((w, i) => {
      w.resolve(results[i] as Result);
    });
  }
}

/** Thrown by a shape's many() when its items cannot share a statement: they then run alone, in order. */
export class RunAlone extends Error {}

const batchers = new WeakMap<Database, Map<string, StatementBatcher<unknown, unknown>>>();

/** The batcher of this shape for this database (one per pool, shared by every adapter on it). */
export function batcherFor<Item, Result>(db: Database, shape: BatchShape<Item, Result>): StatementBatcher<Item, Result> {
  let byName = batchers.get(db);
  if (!byName) batchers.set(db, (byName = new Map()));
  let batcher = byName.get(shape.name);
  if (!batcher) byName.set(shape.name, (batcher = new StatementBatcher(db, shape) as StatementBatcher<unknown, unknown>));
  return batcher as StatementBatcher<Item, Result>;
}

/** A JSON array of strings, for statements that take a list as one parameter (`jsonb_array_elements_text`). */
export function jsonList(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** Counts of every batcher on this database, by statement (for tests and metrics). */
export function batchCounts(db: Database): Record<string, StatementBatcher<unknown, unknown>['counts']> {
  return Object.fromEntries([...(batchers.get(db) ?? new Map<string, StatementBatcher<unknown, unknown>>())].map(([name, b]) => [name, { ...b.counts }]));
}
