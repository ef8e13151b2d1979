// Preloaded (`--import`) into a server by bench/alloc-profile.ts, never by `npm run bench`: V8's
// sampling heap profiler counting every sampled allocation, also those a scavenge or a full collection
// has since freed (so the profile is what a request allocates, not what stays alive). SIGUSR2 starts
// sampling; the next SIGUSR2 stops it and writes the profile; SIGWINCH writes a heap snapshot after a
// full collection. Files go to HEAP_SAMPLE_DIR (default bench/results/heap) as <pid>-<n>.heapprofile / .heapsnapshot.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

const dir = process.env.HEAP_SAMPLE_DIR ?? `${process.cwd()}/bench/results/heap`;
const interval = Number(process.env.HEAP_SAMPLE_INTERVAL ?? 16384);
const session = new Session();
session.connect();
const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
let sampling = false;
let n = 0;

process.on('SIGUSR2', () => {
  const file = `${dir}/${process.pid}-${n++}.heapprofile`;
  const step = sampling
    ? post('HeapProfiler.stopSampling').then(({ profile }) => writeFileSync(file, JSON.stringify(profile)))
    : post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  sampling = !sampling;
  step.then(
    () => process.stderr.write(`heap-sample: ${sampling ? 'sampling' : `wrote ${file}`}\n`),
    (err) => process.stderr.write(`heap-sample: ${err.message}\n`),
  );
});

process.on('SIGWINCH', () => {
  v8.setFlagsFromString('--expose-gc');
  vm.runInNewContext('gc')();
  const file = v8.writeHeapSnapshot(`${dir}/${process.pid}-${n++}.heapsnapshot`);
  process.stderr.write(`heap-sample: wrote ${file}\n`);
});
