import type { MemoryMap } from './servers.js';

const mib = (x: number) => x.toFixed(1);

/** The memory map of one server as plain lines, before and after a full collection, for the log. */
export function memoryMapLines(asIs: MemoryMap, afterGc: MemoryMap): string {
  const lines = [`  RSS ${mib(asIs.rssMiB)} → ${mib(afterGc.rssMiB)}`];
  for (const kind of Object.keys({ ...asIs.smaps, ...afterGc.smaps }).sort()) {
    lines.push(`  ${kind}: ${mib(asIs.smaps[kind] ?? 0)} → ${mib(afterGc.smaps[kind] ?? 0)}`);
  }
  lines.push(`  malloc thread arenas, resident MiB each: ${asIs.arenasMiB.join(', ') || 'none'}`);
  if (asIs.wasmMemoryMiB) lines.push(`  PGlite WebAssembly memory size: ${mib(asIs.wasmMemoryMiB)}`);
  const v = (m: MemoryMap) => m.v8;
  lines.push(
    `  V8: heap committed ${mib(v(asIs).heapTotalMiB)} → ${mib(v(afterGc).heapTotalMiB)}, used ${mib(v(asIs).heapUsedMiB)} → ${mib(v(afterGc).heapUsedMiB)}, ` +
      `physical ${mib(v(asIs).physicalMiB)} → ${mib(v(afterGc).physicalMiB)}, external ${mib(v(asIs).externalMiB)} → ${mib(v(afterGc).externalMiB)} ` +
      `(array buffers ${mib(v(asIs).arrayBuffersMiB)} → ${mib(v(afterGc).arrayBuffersMiB)}), malloced ${mib(v(asIs).mallocedMiB)} (peak ${mib(v(asIs).peakMallocedMiB)})`,
  );
  for (const [space, s] of Object.entries(asIs.v8.spaces)) {
    const after = afterGc.v8.spaces[space];
    if (s.physicalMiB < 0.5 && (after?.physicalMiB ?? 0) < 0.5) continue;
    lines.push(`    ${space}: physical ${mib(s.physicalMiB)} → ${mib(after?.physicalMiB ?? 0)}, used ${mib(s.usedMiB)} → ${mib(after?.usedMiB ?? 0)}`);
  }
  return lines.join('\n');
}
