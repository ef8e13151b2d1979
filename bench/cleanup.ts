// Part of `npm run bench` (bench/run.ts): everything the benchmark starts or creates is undone at the end,
// on error and on Ctrl-C.

import { killAll } from './lib/servers.js';
import { log } from './options.js';
import { runState } from './results.js';

export const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];
let cleaning: Promise<void> | undefined;
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (err) {
        log(`cleanup (${step.what}) failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (runState.interrupted) return;
    runState.interrupted = true;
    log(`\n${signal}: stopping servers and removing the benchmark's database and Redis keys...`);
    const hard = setTimeout(() => {
      killAll();
      process.exit(130);
    }, 20_000);
    void cleanupAll().finally(() => {
      clearTimeout(hard);
      killAll();
      process.exit(130);
    });
  });
}
