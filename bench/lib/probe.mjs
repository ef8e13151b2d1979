// Preloaded into the benchmarked server process (node --import ./bench/lib/probe.mjs): counts the
// storage calls the process makes and reports them, with its CPU time, event-loop use and memory, over
// the IPC channel the benchmark opened. It patches client prototypes only (ioredis sendCommand, pg
// Client.query, PGlite query/exec); nothing in Kapı knows about it and it changes no behaviour.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import dc from 'node:diagnostics_channel';
import { constants as perfConstants, createHistogram, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { memoryMap } from './memory-map.mjs';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const counts = { redis: 0, sql: 0, txn: 0 };
const sqlByText = new Map(); // statement shape -> count
const redisByName = new Map(); // command (and script sha) -> count

let pglite; // the embedded database, for the size of its WebAssembly memory
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
// Data growth (issue 24 point 1): while sampling is on, the first statement of each shape is kept with
// its parameters, so that the benchmark can EXPLAIN every statement of the measured paths on the grown
// database. Off unless asked (a probe with `samples: 'start'`): no other scenario pays for it.
let sampling = false;
const samples = new Map(); // shape -> { text, values }
const plain = (v) => (v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? null : v);
const shapes = new Map();
const shape = (text) => {
  let out = shapes.get(text);
  if (out === undefined) {
    out = text
      .replace(/\s+/g, ' ')
      .replace(/\$\d+(, ?\$\d+)*/g, '$n')
      .slice(0, 160);
    if (shapes.size < 5_000) shapes.set(text, out);
  }
  return out;
};

/**
 * Context switches of every thread of this process so far (Linux /proc; 0 elsewhere). Voluntary: a thread
 * waited (for a socket, a lock, the pool); involuntary: the scheduler took the core from it, which is what
 * two processes on one core add (issue 22 point 3).
 */
function contextSwitches() {
  const out = { voluntary: 0, involuntary: 0 };
  let tasks = [];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const status = readFileSync(`/proc/self/task/${task}/status`, 'utf8');
      out.voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      out.involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

function wrap(proto, name, key) {
  const original = proto?.[name];
  if (typeof original !== 'function' || original.__benchProbe) return;
  const wrapped = function (...args) {
    counts[key]++;
    if (key === 'sql' && this?.mod) pglite = this;
    if (key === 'sql') {
      const text = typeof args[0] === 'string' ? args[0] : (args[0]?.text ?? args[0]?.sql);
      if (typeof text === 'string') {
        if (/^\s*begin\b/i.test(text)) counts.txn++;
        bump(sqlByText, shape(text));
        if (sampling && samples.size < 2_000 && !samples.has(shape(text))) {
          const values = Array.isArray(args[1]) ? args[1] : args[0]?.values;
          samples.set(shape(text), { text, values: Array.isArray(values) ? values.map(plain) : [] });
        }
      }
    } else if (key === 'redis') {
      const command = args[0];
      const name = String(command?.name ?? '?');
      bump(redisByName, name === 'evalsha' ? `evalsha ${String(command.args?.[0] ?? '').slice(0, 8)}` : name);
    }
    return original.apply(this, args);
  };
  wrapped.__benchProbe = true;
  proto[name] = wrapped;
}

// Kapı runs the token path's fixed statements on PGlite as named prepared statements through
// execProtocolStream (adapters/storage/pglite-statement.ts), not through query: a Parse with a name
// (code 'P') gives the name's text; each Bind of a named statement (code 'B', then an empty portal name,
// then the statement's name) is one statement run, counted and sampled like a query. PGlite's own query
// parses and binds unnamed statements only, so nothing is counted twice.
const preparedText = new Map(); // statement name -> text
const decoder = new TextDecoder();
function cstringAt(bytes, at) {
  const end = bytes.indexOf(0, at);
  return [decoder.decode(bytes.subarray(at, end)), end + 1];
}
function wrapProtocol(proto) {
  const original = proto?.execProtocolStream;
  if (typeof original !== 'function' || original.__benchProbe) return;
  const wrapped = function (message, ...rest) {
    if (message?.[0] === 0x50 /* P */ && message[5] !== 0) {
      const [name, at] = cstringAt(message, 5);
      preparedText.set(name, cstringAt(message, at)[0]);
    } else if (message?.[0] === 0x42 /* B */ && message[5] === 0 && message[6] !== 0) {
      const [name, at] = cstringAt(message, 6);
      const text = preparedText.get(name);
      if (text !== undefined) {
        const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
        const values = [];
        let i = at + 2 + view.getInt16(at) * 2;
        const n = view.getInt16(i);
        i += 2;
        for (let k = 0; k < n; k++) {
          const len = view.getInt32(i);
          i += 4;
          values.push(len < 0 ? null : decoder.decode(message.subarray(i, i + len)));
          if (len > 0) i += len;
        }
        // Through the query wrapper: counted, shaped and sampled as PGlite's own query is.
        countedSql.call(this, text, values);
      }
    }
    return original.call(this, message, ...rest);
  };
  wrapped.__benchProbe = true;
  proto.execProtocolStream = wrapped;
}
const countedSqlHolder = { query() {} };
wrap(countedSqlHolder, 'query', 'sql');
const countedSql = countedSqlHolder.query;

try {
  wrap(require('ioredis').Redis.prototype, 'sendCommand', 'redis');
} catch {
  /* no ioredis: nothing to count */
}
try {
  wrap(require('pg').Client.prototype, 'query', 'sql');
} catch {
  /* no pg */
}
// knex-pglite requires the CommonJS build; the ESM build is a different class: patch both. Only for the
// embedded target (the benchmark gives it DATA_DIR): Kapı on Postgres and the bare provider never load
// PGlite, and the probe must not add it to their heaps.
if (process.env.DATA_DIR) {
  try {
    wrap(require('@electric-sql/pglite').PGlite.prototype, 'query', 'sql');
    wrap(require('@electric-sql/pglite').PGlite.prototype, 'exec', 'sql');
    wrapProtocol(require('@electric-sql/pglite').PGlite.prototype);
  } catch {
    /* no PGlite */
  }
  try {
    const esm = await import('@electric-sql/pglite');
    wrap(esm.PGlite.prototype, 'query', 'sql');
    wrap(esm.PGlite.prototype, 'exec', 'sql');
    wrapProtocol(esm.PGlite.prototype);
  } catch {
    /* no PGlite */
  }
}

// Scenario 5 asks how late the token endpoint answers. The generator's clock alone cannot tell a slow
// server from a generator that read the answer late (it shares its core with Postgres and Redis), so
// the server measures too: how long it held each request marked `x-bench-probe` (from its headers
// being parsed to the last byte handed to the socket) and how late its event loop ran timers (a request
// that arrives while the loop is busy waits that long before the first measure starts).
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const heldNs = createHistogram();
const startedAt = new WeakMap();
dc.subscribe('http.server.request.start', ({ request }) => {
  if (request.headers['x-bench-probe']) startedAt.set(request, process.hrtime.bigint());
});
dc.subscribe('http.server.response.finish', ({ request }) => {
  const t0 = startedAt.get(request);
  if (t0 === undefined) return;
  const held = Number(process.hrtime.bigint() - t0);
  heldNs.record(Math.max(1, held));
  // The slowest ones, with when they started (performance.now(), the clock of the probe's `at`): a
  // pattern in time (every 30 s, say) names the cause better than a percentile does.
  if (held > 20e6 && slowHeld.length < 50) slowHeld.push({ at: performance.now() - held / 1e6, ms: held / 1e6 });
});
const slowHeld = [];
// Garbage-collection pauses of the main thread: one long pause delays every request waiting behind it.
const gcPauses = { maxMs: 0, majorCount: 0, majorMaxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
    if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
      gcPauses.majorCount++;
      gcPauses.majorMaxMs = Math.max(gcPauses.majorMaxMs, entry.duration);
    }
  }
}).observe({ entryTypes: ['gc'] });

/** Both histograms and the GC pauses since the previous probe, in ms; read and reset. */
function takeLatencies() {
  const ms = (ns) => (Number.isFinite(ns) ? ns / 1e6 : NaN);
  const out = {
    probeHeldP50: heldNs.count ? ms(heldNs.percentile(50)) : NaN,
    probeHeldP99: heldNs.count ? ms(heldNs.percentile(99)) : NaN,
    probeHeldMax: heldNs.count ? ms(heldNs.max) : NaN,
    loopDelayP99: ms(loopDelay.percentile(99)),
    loopDelayMax: ms(loopDelay.max),
    slowHeld: slowHeld.splice(0),
    gcMax: gcPauses.maxMs,
    gcMajor: gcPauses.majorCount,
    gcMajorMax: gcPauses.majorMaxMs,
  };
  Object.assign(gcPauses, { maxMs: 0, majorCount: 0, majorMaxMs: 0 });
  heldNs.reset();
  loopDelay.reset();
  return out;
}

// CPU time of the main thread alone (utime + stime of /proc/thread-self, read from the main thread): the
// event loop's work without argon2 and signing on the libuv pool, which share the server's core. USER_HZ
// ticks (10 ms): fine over a run of seconds. NaN where there is no /proc.
function mainThreadMicros() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

let gc;
function fullGc(lastResort = false) {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc');
  }
  // `lastResort`: the collection V8 makes under memory pressure, which also gives back the free pages
  // it keeps in its pool. A diagnosis at the end of a benchmark only (how much of the RSS is that pool):
  // Kapı never asks for it, since it also lowers the heap's limits (src/runtime/node-flags.ts).
  gc(lastResort ? { type: 'major', execution: 'sync', flavor: 'last-resort' } : undefined);
}

if (process.send) {
  process.on('message', (message) => {
    if (!message || message.type !== 'probe') return;
    // Memory read after a full collection (memory scenario): what the process keeps, not the garbage it
    // has not collected yet. The flag is set on first use, so the other scenarios run without it.
    if (message.gc) fullGc(message.gc === 'last-resort');
    let sampled;
    if (message.samples === 'start') {
      samples.clear();
      sampling = true;
    } else if (message.samples === 'take') {
      sampled = [...samples.values()];
      samples.clear();
      sampling = false;
    }
    const cpu = process.cpuUsage();
    const switches = contextSwitches();
    const elu = performance.eventLoopUtilization();
    const memory = process.memoryUsage();
    process.send({
      type: 'probe',
      id: message.id,
      redis: counts.redis,
      sql: counts.sql,
      txn: counts.txn,
      sqlByText: Object.fromEntries(sqlByText),
      redisByName: Object.fromEntries(redisByName),
      cpuMicros: cpu.user + cpu.system,
      switchesVoluntary: switches.voluntary,
      switchesInvoluntary: switches.involuntary,
      mainThreadMicros: mainThreadMicros(),
      eluActive: elu.active,
      eluIdle: elu.idle,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      // CLOCK_MONOTONIC in µs, the clock of V8's CPU profile timestamps (to cut a --cpu-prof to a run).
      monoMicros: Number(process.hrtime.bigint() / 1000n),
      latencies: takeLatencies(),
      ...(sampled ? { samples: sampled } : {}),
      at: performance.now(),
      // Where the RSS is (issue 24 point 2), asked for at the end of a benchmark.
      ...(message.memory ? { memoryMap: { ...memoryMap(), wasmMemoryMiB: (pglite?.mod?.wasmMemory?.buffer.byteLength ?? 0) / 1048576 } } : {}),
    });
  });
  process.channel?.unref();
}
