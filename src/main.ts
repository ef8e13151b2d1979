import { ConfigError, loadConfig } from './config.js';
import { log } from './log.js';
import { dependencyPatchesNotInEffect } from './runtime/dependency-patches.js';
import { missingServerEnv, missingServerNodeFlags } from './runtime/node-flags.js';
import { lowerThreadPoolPriority } from './runtime/thread-pool.js';
import { serve, startupOptions } from './startup.js';

async function main(): Promise<void> {
  let config;
  let startup;
  try {
    config = loadConfig();
    startup = startupOptions();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // With DATABASE_URL, serve() answers 503 (and /readyz says why) until Postgres is reachable.
  const { kapi, server } = await serve(config, startup);
  // Only the server's own entry point does this: it changes the whole process (tests run Kapı in theirs).
  const reniced = await lowerThreadPoolPriority(config.poolNice);
  const unpatched = dependencyPatchesNotInEffect();
  if (unpatched.length)
    log.warn(
      { patches: unpatched },
      'dependency patches not in effect (run `node bin/patch-dependencies.mjs`; see docs/architecture.md): Kapı works, with more garbage-collection pauses',
    );
  const missingFlags = missingServerNodeFlags();
  if (missingFlags.length)
    log.warn(
      { missing: missingFlags },
      'started without the node flags of `npm start` (src/runtime/node-flags.ts): Kapı works, with longer pauses when traffic returns after a quiet time',
    );
  const missingEnv = missingServerEnv();
  if (missingEnv.length)
    log.warn(
      { missing: missingEnv },
      'started without the malloc settings of `npm start` (src/runtime/node-flags.ts): Kapı works, and keeps more memory after a peak',
    );
  log.info({ argon2Concurrency: config.argon2Concurrency, poolThreadsReniced: reniced, poolNice: config.poolNice }, 'thread pool');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const storage = config.databaseUrl ? 'Postgres' : `embedded PGlite (${config.dataDir})`;
  const state = config.redis ? `Redis (${config.redis.kind === 'single' ? 'one server' : config.redis.kind})` : 'process memory';
  process.stdout.write(`Kapı is listening on http://${config.host}:${port} (issuer ${config.issuer}; ${storage}; short-lived state in ${state})\n`);
  if (config.demo) process.stdout.write(`Demo institution: ${config.issuer}/demo\n`);
  // How to try each method's demo, as its module says (e-signature's token, the demo bank, the MSSP simulator).
  for (const hint of kapi.demoHints()) process.stdout.write(`${hint}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await kapi.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'Kapı failed to start');
  process.stderr.write(`Kapı failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
