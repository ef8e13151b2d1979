import { readFile } from 'node:fs/promises';

// Summarises a V8 .cpuprofile (node --cpu-prof), cut to the given time windows (CLOCK_MONOTONIC µs, as
// reported by bench/lib/probe.mjs around each measured run): self time per function and per
// package/area, and inclusive (synchronous stack) time per package and per Kapı function. Async
// continuations are separate stacks in V8 profiles, so inclusive time covers the synchronous part only.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Ranked {
  name: string;
  ms: number;
  share: number;
}
export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  windowMs: number;
  functions: Ranked[];
  packages: Ranked[];
  inclusivePackages: Ranked[];
  inclusiveKapi: Ranked[];
}

const LOCAL = /\/(src|adapters|interactions|keys|bench)\/(.*)$/;

function where(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm) return `${nm[1]}/${nm[2]!.split('/').slice(-1)[0]}`;
  const local = LOCAL.exec(url);
  if (local) return `${local[1]}/${local[2]}`;
  return url.replace(/^file:\/\//, '');
}

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native code called from JS)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  const local = LOCAL.exec(url);
  if (local) return `Kapı ${local[1]}/`;
  const core = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
  if (core) {
    const m = core[1]!.replace(/^_/, '');
    if (/^(http|https|http_server|http_common|http_outgoing|http_incoming|http_agent)/.test(m)) return 'node:http';
    if (/^(net|stream|streams|stream_base_commons|tls)/.test(m)) return 'node:net+streams';
    if (/^(async_hooks|process|timers|promise|event_target|events)/.test(m)) return 'node:async/events/timers';
    return `node:${m}`;
  }
  return url;
}

export async function summariseProfile(file: string, windows: Array<[number, number]> = [], top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inWindow = (t: number) => !windows.length || windows.some(([a, b]) => t >= a && t <= b);

  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const incPkg = new Map<string, number>();
  const incKapi = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let total = 0;
  let idle = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (!inWindow(t)) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += delta;
      continue;
    }
    total += delta;
    // tsx compiles Kapı's TypeScript without line mapping here: name and file only.
    add(self, url ? `${name} ${where(url)}${LOCAL.test(url) ? '' : `:${lineNumber + 1}`}` : name, delta);
    add(pkg, area(url, name), delta);
    const seenPkg = new Set<string>();
    const seenFn = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!f.url) continue;
      seenPkg.add(area(f.url, f.functionName));
      if (LOCAL.test(f.url) && !f.url.includes('/bench/') && f.functionName) seenFn.add(`${f.functionName} ${where(f.url)}`);
    }
    // Pass-through layers would top this list without saying anything: the benchmark's own probe
    // (it wraps every storage call) and the event loop's tick and promise machinery.
    for (const p of seenPkg) if (p !== 'Kapı bench/' && p !== 'node:async/events/timers') add(incPkg, p, delta);
    for (const f of seenFn) add(incKapi, f, delta);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: total ? micros / total : 0 }));
  const windowMs = windows.length ? windows.reduce((s, [a, b]) => s + (b - a), 0) / 1000 : (profile.endTime - profile.startTime) / 1000;
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    windowMs,
    functions: rank(self),
    packages: rank(pkg),
    inclusivePackages: rank(incPkg),
    inclusiveKapi: rank(incKapi),
  };
}
