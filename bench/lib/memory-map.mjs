// Where a server's resident memory is (issue 24 point 2), read inside the server by bench/lib/probe.mjs:
// V8's own accounting (heap spaces, external memory, array buffers) beside the kernel's (/proc/self/smaps),
// whose mappings are sorted into the kinds that explain an RSS: V8's heap pages, the main malloc heap (brk),
// glibc's per-thread malloc arenas (64-MiB-aligned reservations: argon2's 19-MiB blocks land there when a
// libuv/rayon thread frees one), WebAssembly memories (PGlite: a reservation of several GiB of which only
// what Postgres touched is resident), thread stacks, and the files mapped (node, the .node addons, libc).
// V8's heap pages (256 kB each) and mimalloc's segments (argon2's allocator: @node-rs/argon2 links
// mimalloc, so glibc's malloc settings do not reach its 19-MiB blocks) fall in the anonymous rest.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

const MIB = 1024 * 1024;
const ARENA = 64 * MIB; // glibc's HEAP_MAX_SIZE on 64-bit: each non-main arena reserves 64 MiB, aligned on it

/** The mappings of /proc/self/smaps: address range, permissions, path and resident kB. */
function readMappings() {
  const out = [];
  let current;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      current = { start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3], path: head[4].trim(), rssKb: 0 };
      out.push(current);
    } else if (current && line.startsWith('Rss:')) {
      current.rssKb = Number(line.split(/\s+/)[1]);
    }
  }
  return out;
}

function kindOf(m, previous, next) {
  const size = Number(m.end - m.start);
  if (m.path === '[heap]') return 'malloc main heap (brk)';
  if (m.path === '[stack]' || m.path.startsWith('[stack')) return 'stacks';
  if (m.path.startsWith('/'))
    return m.path.endsWith('.node')
      ? 'files: native addons (.node)'
      : m.path.includes('/node') && !m.path.includes('.so')
        ? 'files: node binary'
        : 'files: shared libraries and others';
  if (m.path.startsWith('[')) return `other ${m.path}`;
  // A WebAssembly memory: its accessible part, then the rest of V8's reservation (8 GiB and guard pages).
  if (m.perms === 'rw-p' && next && next.start === m.end && next.perms === '---p' && !next.path && Number(next.end - next.start) >= 4096 * MIB)
    return 'WebAssembly memory (PGlite)';
  // A glibc arena: the rw part of a 64-MiB-aligned reservation, followed by its ---p remainder (or all of it).
  const aligned = m.start % BigInt(ARENA) === 0n;
  const restOfArena = next && next.start === m.end && next.perms === '---p' && !next.path && Number(next.end - m.start) === ARENA;
  if (aligned && m.perms === 'rw-p' && (restOfArena || size === ARENA)) return 'malloc thread arenas';
  // A thread stack: rw anon right after a 4-kB (or larger) guard page.
  if (
    m.perms === 'rw-p' &&
    previous &&
    previous.end === m.start &&
    previous.perms === '---p' &&
    !previous.path &&
    size >= 512 * 1024 &&
    size <= 16 * MIB &&
    m.rssKb < size / 1024 / 4
  )
    return 'stacks';
  return 'anonymous (V8 heap pages, large mallocs, others)';
}

/** Resident MiB by kind of mapping, and V8's own figures, after an optional full collection. */
export function memoryMap() {
  const maps = readMappings();
  const kinds = {};
  const arenas = [];
  maps.forEach((m, i) => {
    const kind = kindOf(m, maps[i - 1], maps[i + 1]);
    kinds[kind] = (kinds[kind] ?? 0) + m.rssKb / 1024;
    if (kind === 'malloc thread arenas') arenas.push(Math.round(m.rssKb / 1024));
  });
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const spaces = Object.fromEntries(
    v8
      .getHeapSpaceStatistics()
      .map((s) => [s.space_name, { physicalMiB: s.physical_space_size / MIB, usedMiB: s.space_used_size / MIB, sizeMiB: s.space_size / MIB }]),
  );
  return {
    rssMiB: usage.rss / MIB,
    smaps: kinds,
    arenasMiB: arenas.sort((a, b) => b - a),
    v8: {
      heapTotalMiB: usage.heapTotal / MIB,
      heapUsedMiB: usage.heapUsed / MIB,
      physicalMiB: heap.total_physical_size / MIB,
      externalMiB: usage.external / MIB,
      arrayBuffersMiB: usage.arrayBuffers / MIB,
      mallocedMiB: heap.malloced_memory / MIB,
      peakMallocedMiB: heap.peak_malloced_memory / MIB,
      spaces,
    },
  };
}
