// Jest runs the TypeScript sources as ES modules (oidc-provider 9, jose 6 and openid-client 6 are
// ESM-only). `npm test` starts it with --experimental-vm-modules under Node 22 via bin/launch.mjs.
import { availableParallelism } from 'node:os';

export const BACKEND_INDEPENDENT = [
  '/test/browser/',
  '-browser\\.test\\.ts$',
  '/test/faults/',
  '/test/drills/',
  // The command suites run `kapi` on an embedded database on disk whatever the pass's DATABASE_URL says
  // (they remove it from the commands' environment): the same run in both passes.
  '/test/cli/cli\\.test\\.ts$',
  '/test/registrar/cli\\.test\\.ts$',
];

// The minutes-long drills (test/drills/: a Redis Cluster, a Sentinel failover, a Postgres failover, two
// processes behind HAProxy, a backup restored) start their own servers and need the server programs: CI's
// Postgres pass (CI=true) runs them; a developer's `npm test` leaves them out unless KAPI_DRILLS=1 (DESIGN.md,
// Performance: "the minutes-long drills kept for CI's Postgres pass").
const DRILLS = ['/test/drills/'];
const runDrills = process.env.CI === 'true' || process.env.KAPI_DRILLS === '1';

export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  // Cross-cutting suites live in test/; each method's own suites in its folder, interactions/<method>/test/.
  roots: ['<rootDir>/test', '<rootDir>/interactions'],
  testMatch: ['**/*.test.ts'],
  // Suites that do not depend on Kapı's storage backend (browser journeys in Chromium, fault and failover
  // drills on their own private servers, the `kapi` commands on their own embedded database) run once in
  // CI, in the Postgres + Redis pass; the embedded pass sets KAPI_TESTS_ONCE=skip. Browser suites live in
  // test/browser/ or end in -browser.test.ts (a method's own browser suites, in interactions/<method>/test/,
  // always do).
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.KAPI_TESTS_ONCE === 'skip' ? BACKEND_INDEPENDENT : []), ...(runDrills ? [] : DRILLS)],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
  },
  // Hooks share this limit, and a suite's beforeAll starts Kapı (PGlite, migrations, keys): seconds on a quiet
  // machine, over 30 s on a loaded one (seen in CI at load average 12). A limit, not a measure.
  testTimeout: 60000,
  // Suites run in parallel, one more than the cores: a suite spends part of its time waiting (on a status
  // query's interval, a limiter's window, a child process, Postgres, Redis), during which another suite
  // can use the core, and each suite has its own Kapı, database and Redis prefix. On the two-core machine
  // (2 x AMD EPYC), 17 mid-sized suites of the embedded pass took 88 s with two workers, 59 s with three
  // and 74 s with four (one run each, back to back, docs/performance.md "The everyday wait"); two workers
  // left a third of the CPU idle. `npm test -- --runInBand` still runs one at a time.
  maxWorkers: availableParallelism() + 1,
  // A library timer or socket left behind by one of the ~80 suites must never keep CI waiting after the
  // results are printed (jest would wait forever). Suites still close what they open; this is the backstop.
  forceExit: true,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // The log scan of a whole run (docs/security.md): each test file's Kapı logs every line to a file of the
  // run, the test support records the secrets it uses, and the teardown fails the run if a log holds one.
  // ssrf-guard-setup: oidc-provider's SSRF guard works in-process as it does in a real Kapı process.
  setupFilesAfterEnv: ['<rootDir>/test/support/log-scan-setup.ts', '<rootDir>/test/support/ssrf-guard-setup.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
