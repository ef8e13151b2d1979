// Where the floods' allocations go (issue 24 point 2): each server runs with V8's sampling heap profiler
// preloaded (bench/lib/heap-sample.mjs, counting what scavenges and full collections have freed too), is
// flooded as in `npm run bench` (the same request bodies and 16 connections), and the sites are ranked by
// bytes allocated per request; at the end a heap snapshot (after a full collection) is summed by
// constructor, to see what the old generation keeps. Not a benchmark: the profiler costs throughput, so
// compare bytes per request, not requests per second.
//
//   node bin/launch.mjs --import tsx bench/alloc-profile.ts --targets=kapi-pg,bare --only=discovery,jwks,cc-opaque --seconds=5
//
// Profiles and snapshots stay in bench/results/heap/ (open them in Chrome's DevTools, Memory tab).

import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { cleanupAll, cleanups } from './cleanup.js';
import { redisClient } from './lib/storage.js';
import { ROOT } from './lib/servers.js';
import { prepare } from './scenarios.js';
import { prepareTarget, type Target } from './targets.js';
import { LABEL, ON_POSTGRES, SCENARIOS, SECONDS, TARGETS, log, sleep } from './options.js';

const DIR = path.join(ROOT, 'bench', 'results', 'heap');
const SAMPLER = path.join(ROOT, 'bench', 'lib', 'heap-sample.mjs');

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Where a frame's code lives: a package, node's own library, or Kapı's source. */
function owner(url: string): string {
  if (!url) return '(V8/native)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const local = /\/(src|adapters|bench|keys|interactions)\//.exec(url);
  return local ? `kapi ${local[1]}` : url;
}

function site(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|adapters|bench|keys|interactions)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** Bytes by allocating frame and by the first frame outside node's library (who asked for it). */
function rank(root: ProfileNode): { total: number; bySite: Map<string, number>; byOwner: Map<string, number>; byCaller: Map<string, number> } {
  const bySite = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: ProfileNode['callFrame'][]) => {
    const frames = [...stack, node.callFrame];
    if (node.selfSize) {
      total += node.selfSize;
      const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + node.selfSize);
      add(bySite, site(node.callFrame));
      add(byOwner, owner(node.callFrame.url));
      const caller = [...frames].reverse().find((f) => f.url && !f.url.startsWith('node:'));
      add(byCaller, caller ? `${owner(caller.url)}: ${site(caller)}` : '(node only)');
    }
    for (const child of node.children) walk(child, frames);
  };
  walk(root, []);
  return { total, bySite, byOwner, byCaller };
}

const top = (m: Map<string, number>, per: number, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `      ${(v / per).toFixed(0).padStart(7)} B  ${k}`)
    .join('\n');

/** The file the server says it wrote (heap-sample.mjs prints its name once it is complete). */
async function written(t: Target, ext: string, seen: Set<string>): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const names = [...t.server.output().matchAll(/heap-sample: wrote (\S+)/g)].map((m) => m[1]!);
    const file = names.find((f) => f.endsWith(ext) && !seen.has(path.basename(f)));
    if (file) return file;
    await sleep(200);
  }
  throw new Error(`no ${ext} from ${t.server.pid}`);
}

/** A heap snapshot's self sizes summed by constructor (objects) or by kind (strings, code, arrays). */
async function constructors(file: string): Promise<Array<[string, number, number]>> {
  const snap = JSON.parse(await readFile(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const sums = new Map<string, [number, number]>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    const key =
      type === 'object' || type === 'closure'
        ? `${type} ${snap.strings[snap.nodes[i + iName]!]}`
        : `(${type}) ${type === 'native' || type === 'hidden' || type === 'array' ? snap.strings[snap.nodes[i + iName]!]!.slice(0, 40) : ''}`;
    const s = sums.get(key) ?? [0, 0];
    s[0] += snap.nodes[i + iSize]!;
    s[1]++;
    sums.set(key, s);
  }
  return [...sums.entries()].map(([k, [size, count]]) => [k, size, count] as [string, number, number]).sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  await mkdir(DIR, { recursive: true });
  let redis: Redis | undefined;
  if (TARGETS.some(ON_POSTGRES)) {
    redis = redisClient();
    cleanups.push({ what: 'close Redis', run: async () => redis!.disconnect() });
  }
  const targets: Target[] = [];
  for (const key of TARGETS) targets.push(await prepareTarget(key, redis, undefined, ['--import', SAMPLER]));
  for (const scenario of SCENARIOS) {
    for (const t of targets) {
      const body = await prepare(t, scenario);
      await body(t, 2); // warm-up, not sampled
      const seen = new Set(await readdir(DIR));
      const before = await t.server.probe();
      process.kill(t.server.pid, 'SIGUSR2');
      await sleep(300);
      const outcome = await body(t, SECONDS);
      process.kill(t.server.pid, 'SIGUSR2');
      const after = await t.server.probe();
      const file = await written(t, '.heapprofile', seen);
      const r = rank(JSON.parse(await readFile(file, 'utf8')).head as ProfileNode);
      const per = outcome.ops || 1;
      log(
        `\n${LABEL[t.key]}, ${scenario}: ${outcome.ops} requests (${(outcome.ops / outcome.seconds).toFixed(0)}/s under the profiler), ${(r.total / per).toFixed(0)} B allocated per request; ` +
          `full collections ${after.latencies.gcMajor}, RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB (${path.basename(file)})`,
      );
      log(`    by owner of the allocating frame:\n${top(r.byOwner, per, 8)}`);
      log(`    by allocating frame:\n${top(r.bySite, per, 14)}`);
      log(`    by first frame outside node's library:\n${top(r.byCaller, per, 14)}`);
      void before;
    }
  }
  for (const t of targets) {
    const map = (await t.server.probe({ gc: true, memory: true })).memoryMap!;
    const seen = new Set(await readdir(DIR));
    process.kill(t.server.pid, 'SIGWINCH');
    const file = await written(t, '.heapsnapshot', seen);
    const sums = await constructors(file);
    log(
      `\n${LABEL[t.key]} after the floods: RSS ${map.rssMiB.toFixed(0)} MiB, V8 heap used ${map.v8.heapUsedMiB.toFixed(1)} of ${map.v8.heapTotalMiB.toFixed(1)} MiB; heap snapshot by constructor (self size, count):`,
    );
    for (const [k, size, count] of sums.slice(0, 20)) log(`    ${(size / 2 ** 20).toFixed(2).padStart(7)} MiB ${String(count).padStart(8)}  ${k}`);
  }
}

main()
  .catch((err: unknown) => log(`FAILED: ${(err as Error).stack}`))
  .finally(async () => {
    await cleanupAll();
    process.exit(0);
  });
