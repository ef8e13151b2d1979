/**
 * The flags Kapı's server process is started with (and, below, its environment): `npm start`, the Dockerfile, the tests that run
 * src/main.ts as a process, and the benchmark all take them from here or are checked against this list
 * (test/unit/node-flags.test.ts). They are V8 options, which NODE_OPTIONS does not accept, so they go on
 * the command line.
 *
 * --no-memory-reducer: when the process has been idle a few seconds, V8's memory reducer runs full
 * collections that shrink the heap to what is live (here from about 100 to 54 MB), and its next limits
 * start from there; when traffic returns, the old generation is collected again every few seconds
 * until it has grown back, and each collection's concurrent marking takes the core the requests need.
 * A server that serves bursts pays for that at every burst. Measured with the benchmark's round-robin
 * (each server idles while the others are measured), `--only=login,token-under-login --runs=3`, Kapı on
 * Postgres + Redis: token p99 during logins 28.0 ms (21.0–32.2) with 5 full collections per 20-s run,
 * 6.0 ms (4.8–7.1) with 1 without the reducer. The price is memory kept after a peak: the heap stays
 * at its high-water mark instead of shrinking while idle.
 */
export const SERVER_NODE_FLAGS: readonly string[] = Object.freeze(['--no-memory-reducer']);

/** The server flags this process was not started with (compared with node's own command line). */
export function missingServerNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/**
 * The environment the server process is started with, beside its flags: glibc malloc settings, read once
 * when the process starts (so they cannot be set from inside it). By default glibc raises its mmap
 * threshold after the first large block is freed (up to 32 MiB), and from then on blocks of that size
 * come from the heaps of each thread's arena, where freed memory stays resident: after a benchmark the
 * main heap and the arenas of V8's compiler and GC threads held 28 MiB (Postgres + Redis) and 79 MiB
 * (embedded, where compiling PGlite's WebAssembly adds to them). A fixed threshold of 128 kB (glibc's
 * initial value) and trim threshold keep large blocks in mmap, returned at free. argon2 is not
 * concerned: @node-rs/argon2 allocates with its own mimalloc, which gives its 19-MiB blocks back.
 * Measured in bench/notes.md ("Memory").
 */
export const SERVER_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
});

/** The server environment variables this process was not started with (or with another value). */
export function missingServerEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(SERVER_ENV)
    .filter(([name, value]) => env[name] !== value)
    .map(([name]) => name);
}
