// A fixed statement (fixed-sql.ts) run on PGlite, the embedded default, as a named prepared statement
// (issue 24 point 3). PGlite's own `query` sends a parameterised statement as six separate calls into
// its WebAssembly Postgres (parse, describe statement, bind, describe portal, execute, sync), each with its
// own JavaScript around it, and Postgres parses and analyses the text again every time. Here each PGlite
// instance parses and describes a statement once (Parse + Describe + Sync, one call), keeps the parameter
// types and the result's columns, and from then on runs it with Bind + Execute + Sync in one call.
//
// Planning is unchanged: the instance runs with plan_cache_mode = force_custom_plan (database.ts), so
// Postgres still plans every execution with its values, as it did for the unnamed statements; a generic
// plan had scanned the wrong index of oidc_models (issue 8, see fixed-sql.ts). Values are serialised and
// columns parsed by PGlite's own serializers and parsers for the types Postgres reported, as `query` does.
// Both mutexes `query` takes are taken here too, so nothing else runs on the connection in between.

interface PgLiteField {
  name: string;
  dataTypeID: number;
}
interface PgLiteMessage {
  name: string;
  /** parameterDescription */
  dataTypeIDs?: number[];
  /** rowDescription */
  fields?: PgLiteField[];
  /** dataRow: the columns as text, or null */
  // biome-ignore lint/suspicious/noExplicitAny: PGlite's message union, read by name
  [key: string]: any;
}
/** What this file uses of a PGlite instance (declared in its interface, some marked internal by `_`). */
export interface PgLiteInstance {
  serializers: Record<number, (x: unknown) => string>;
  parsers: Record<number, (x: string, typeId?: number) => unknown>;
  _checkReady(): Promise<void>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolStream(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<PgLiteMessage[]>;
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

interface Prepared {
  readonly name: string;
  /** The name as a C string, for Bind. */
  readonly nameBytes: Uint8Array;
  readonly paramTypes: number[];
  readonly columns: Array<{ name: string; parse: ((x: string, typeId?: number) => unknown) | undefined; typeId: number }>;
}

interface Prepareds {
  byText: Map<string, Prepared>;
  next: number;
}

const preparedByInstance = new WeakMap<PgLiteInstance, Prepareds>();

/**
 * A bound on the statements one instance keeps prepared: the fixed statements are a few dozen module
 * constants; should texts ever be built per call, the rest run as PGlite's unnamed statements rather than
 * filling Postgres's memory.
 */
const MAX_PREPARED = 256;

/**
 * The SQLSTATEs after which the statement is prepared again and run once more: Bind refused it, and an
 * error rolls back the implicit transaction that Sync ends, so nothing of the first attempt stays.
 */
const PREPARE_AGAIN = new Set([
  '26000', // invalid_sql_statement_name: the statement is gone (DEALLOCATE / DISCARD ALL)
  '0A000', // feature_not_supported: "cached plan must not change result type" after a migration
]);

const encoder = new TextEncoder();

// The frontend messages, written by hand (PostgreSQL protocol 3.0, "Message Formats"): a code byte, an
// int32 length that counts itself, then the body.
const cstring = (s: string): Uint8Array => encoder.encode(`${s}\u0000`);

function message(code: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  const view = new DataView(out.buffer);
  out[0] = code.charCodeAt(0);
  view.setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const SYNC = message('S', new Uint8Array(0));
// Execute the unnamed portal ('' then int32 0: all rows), then Sync.
const EXECUTE_SYNC = concat([message('E', new Uint8Array(5)), SYNC]);

function prepareMessage(name: string, text: string): Uint8Array {
  // Parse (name, text, no parameter types given: Postgres infers them), Describe the statement, Sync.
  return concat([message('P', concat([cstring(name), cstring(text), new Uint8Array(2)])), message('D', cstring(`S${name}`)), SYNC]);
}

function closeMessage(name: string): Uint8Array {
  return concat([message('C', cstring(`S${name}`)), SYNC]);
}

/** Bind (unnamed portal, the statement, text values, text results), Execute, Sync: one buffer. */
function executeMessage(statement: Uint8Array, values: Array<string | null>): Uint8Array {
  const encoded = values.map((v) => (v === null ? null : encoder.encode(v)));
  let bodyLength = 1 + statement.length + 2 + 2 + 2;
  for (const e of encoded) bodyLength += 4 + (e ? e.length : 0);
  const out = new Uint8Array(5 + bodyLength + EXECUTE_SYNC.length);
  const view = new DataView(out.buffer);
  out[0] = 0x42; // 'B'
  view.setInt32(1, 4 + bodyLength);
  let at = 6; // after the code, the length and the empty portal name's terminating zero
  out.set(statement, at);
  at += statement.length;
  view.setInt16(at, 0); // no parameter format codes: all text
  view.setInt16(at + 2, encoded.length);
  at += 4;
  for (const e of encoded) {
    if (e === null) {
      view.setInt32(at, -1);
      at += 4;
    } else {
      view.setInt32(at, e.length);
      out.set(e, at + 4);
      at += 4 + e.length;
    }
  }
  view.setInt16(at, 0); // no result format codes: all text
  out.set(EXECUTE_SYNC, at + 2);
  return out;
}

async function prepare(pglite: PgLiteInstance, prepareds: Prepareds, text: string): Promise<Prepared> {
  const name = `kapi_fixed_${prepareds.next++}`;
  const messages = await pglite.execProtocolStream(prepareMessage(name, text), { syncToFs: false });
  let paramTypes: number[] = [];
  let fields: PgLiteField[] = [];
  for (const m of messages) {
    if (m.name === 'parameterDescription') paramTypes = m.dataTypeIDs ?? [];
    else if (m.name === 'rowDescription') fields = m.fields ?? [];
  }
  const prepared: Prepared = {
    name,
    nameBytes: cstring(name),
    paramTypes,
    columns: fields.map((f) => ({ name: f.name, parse: pglite.parsers[f.dataTypeID], typeId: f.dataTypeID })),
  };
  prepareds.byText.set(text, prepared);
  return prepared;
}

async function forget(pglite: PgLiteInstance, prepareds: Prepareds, text: string, prepared: Prepared): Promise<void> {
  prepareds.byText.delete(text);
  // Closing a statement that no longer exists is no error.
  await pglite.execProtocolStream(closeMessage(prepared.name), { syncToFs: false });
}

function serialise(pglite: PgLiteInstance, prepared: Prepared, values: unknown[]): Array<string | null> {
  return values.map((v, i) => {
    if (v === null || v === undefined) return null;
    const serialize = pglite.serializers[prepared.paramTypes[i] ?? 0];
    return serialize ? serialize(v) : String(v);
  });
}

function rowsOf<T>(prepared: Prepared, messages: PgLiteMessage[]): T[] {
  const rows: T[] = [];
  const columns = prepared.columns;
  for (const m of messages) {
    if (m.name !== 'dataRow') continue;
    const fields = m.fields as unknown as Array<string | null>;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const x = fields[i];
      row[c.name] = x === null || x === undefined ? null : c.parse ? c.parse(x, c.typeId) : x;
    }
    rows.push(row as T);
  }
  return rows;
}

async function run<T>(pglite: PgLiteInstance, prepareds: Prepareds, text: string, values: unknown[]): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    const prepared = prepareds.byText.get(text) ?? (await prepare(pglite, prepareds, text));
    try {
      // As PGlite's query does outside its own transaction() (knex's never is one): let the file system
      // write out (a no-op for Node's file system and for memory, where the writes are already done).
      const messages = await pglite.execProtocolStream(executeMessage(prepared.nameBytes, serialise(pglite, prepared, values)), {
        syncToFs: true,
      });
      return rowsOf<T>(prepared, messages);
    } catch (err) {
      // The error leaves no statement of ours half-run (Sync ended it). The prepared statement may be the
      // cause (gone, or its columns changed), so it is prepared again on next use.
      await forget(pglite, prepareds, text, prepared);
      const code = (err as { code?: string }).code;
      if (attempt > 0 || !code || !PREPARE_AGAIN.has(code)) throw err;
    }
  }
}

/** Runs `text` (with $1..$n) with `values` on PGlite and answers its rows, as `pglite.query(text, values).rows`. */
export async function runPrepared<T>(pglite: PgLiteInstance, text: string, values: unknown[]): Promise<T[]> {
  let prepareds = preparedByInstance.get(pglite);
  if (!prepareds) {
    prepareds = { byText: new Map(), next: 1 };
    preparedByInstance.set(pglite, prepareds);
  }
  if (!prepareds.byText.has(text) && prepareds.byText.size >= MAX_PREPARED) {
    return (await pglite.query(text, values)).rows as T[];
  }
  const state = prepareds;
  await pglite._checkReady();
  return pglite._runExclusiveTransaction(() => pglite._runExclusiveQuery(() => run<T>(pglite, state, text, values)));
}
