// The command line of `npm run bench` (the list of options and what they do is at the top of run.ts),
// parsed strictly: an unknown or misspelt option stops the benchmark before anything starts, instead of
// measuring a run nobody asked for.

import { parseArgs } from 'node:util';

const STRING_OPTIONS = [
  'scale-cores',
  'targets',
  'only',
  'runs',
  'seconds',
  'warmup',
  'sessions',
  'kapi-env',
  'quiet-wait',
  'profile-scenarios',
  'experiment',
  'nice-pool',
  'kapi-node-flags',
  'refresh-chains',
  'login-rate',
  'storage-core',
  'growth-scale',
] as const;
const BOOLEAN_OPTIONS = ['quick', 'no-profile', 'no-write', 'profile'] as const;

export const argv = process.argv.slice(2);
const values: Record<string, unknown> = parseArgs({
  args: argv,
  strict: true,
  allowPositionals: false,
  options: Object.fromEntries([
    ...STRING_OPTIONS.map((name) => [name, { type: 'string' as const }]),
    ...BOOLEAN_OPTIONS.map((name) => [name, { type: 'boolean' as const }]),
  ]),
}).values;
export const flag = (name: (typeof BOOLEAN_OPTIONS)[number]): boolean => values[name] === true;
export const option = (name: (typeof STRING_OPTIONS)[number]): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};
export const QUICK = flag('quick');
export const RUNS = Number(option('runs') ?? (QUICK ? 1 : 3));
export const SECONDS = Number(option('seconds') ?? (QUICK ? 2 : 6));
export const WARMUP = Number(option('warmup') ?? (QUICK ? 1 : 2));
export const QUIET_BUDGET = Number(option('quiet-wait') ?? (QUICK ? 0 : 90)); // seconds, whole run
export const SESSIONS = (option('sessions') ?? (QUICK ? '1000,5000' : '10000,100000')).split(',').map(Number);
export const PROFILE = !flag('no-profile') && (!QUICK || flag('profile') || option('profile-scenarios') !== undefined);
export const PROFILE_ALWAYS = (option('profile-scenarios')?.split(',') ?? []) as ScenarioKey[];
// An experiment measures a build or a setting that is not Kapı's own: its report stays in bench/results/.
export const EXPERIMENT_OPTIONS: Array<(typeof STRING_OPTIONS)[number]> = [
  'experiment',
  'kapi-env',
  'kapi-node-flags',
  'nice-pool',
  'login-rate',
  'refresh-chains',
  'storage-core',
  'growth-scale',
];
export const WRITE = !flag('no-write') && !QUICK && !option('only') && !option('targets') && !EXPERIMENT_OPTIONS.some((name) => option(name) !== undefined);
// A run narrowed with --targets/--only that measured both scale-out targets in their scenarios replaces only
// the "Scale-out" section of docs/performance.md (the rest of the page stays from its full run).
export const WRITE_SCALE_SECTION = !WRITE && !flag('no-write') && !QUICK && !EXPERIMENT_OPTIONS.some((name) => option(name) !== undefined);
export const CONNECTIONS = 16; // autocannon connections
// Refresh chains, each waiting for its answer before its next grant. 32, not 16: at 16 Kapı was bound by
// its storage round trips (server CPU 85%, 641/s against 1,137/s bare), at 32 and 64 it reached its
// plateau (986/s and 957/s); the bare provider is CPU-bound at either (1,000–1,137/s).
export const REFRESH_CHAINS = Number(option('refresh-chains') ?? 32);
export const LOGIN_RATE = option('login-rate') === undefined ? undefined : Number(option('login-rate'));
export const LOGIN_CONCURRENCY = 8; // citizens signing in at once for the maximum
export const PROBE_RATE = 50; // token requests/s measured while logins run
// Seconds of each scenario-5 run (and of its probe alone): a p99 of PROBE_RATE × 6 s = 300 answers is
// the 3rd-worst of them, and one slow answer moved it from 19 to 93 ms between runs of one benchmark;
// 20 s gives 1,000 answers, of which the p99 is the 10th-worst.
export const P99_SECONDS = QUICK ? SECONDS : Math.max(SECONDS, 20);
export const STORAGE_CORE = option('storage-core') ?? '0';
if (STORAGE_CORE !== 'shared' && !/^\d+$/.test(STORAGE_CORE)) throw new Error(`--storage-core must be a core number or "shared", not ${STORAGE_CORE}`);

export type TargetKey = 'kapi-pg' | 'kapi-embedded' | 'bare' | 'kapi-proxy-1' | 'kapi-proxy-2' | 'bare-proxy-1' | 'bare-proxy-2' | 'kapi-pg-grown';
export type ScenarioKey =
  | 'discovery'
  | 'jwks'
  | 'cc-opaque'
  | 'cc-jwt'
  | 'refresh'
  | 'login'
  | 'token-under-login'
  | 'memory'
  | 'history'
  | 'institutions'
  | 'registrar-lookup'
  | 'registrar-history'
  | 'retention';
export const ALL_TARGETS: TargetKey[] = ['kapi-pg', 'kapi-embedded', 'bare', 'kapi-proxy-1', 'kapi-proxy-2', 'bare-proxy-1', 'bare-proxy-2', 'kapi-pg-grown'];
// Data growth (issue 24 point 1): Kapı on a copy of the data-growth template (bench/data-growth/), measured
// beside kapi-pg (an empty database) in these scenarios only; the growth scenarios other than login and
// refresh run on these two targets only. --growth-scale=0.01 makes a template a hundredth of the size
// (to develop the scenarios; the report says which scale it measured).
export const GROWTH_TARGETS: TargetKey[] = ['kapi-pg', 'kapi-pg-grown'];
export const GROWTH_ONLY_SCENARIOS: ScenarioKey[] = ['history', 'institutions', 'registrar-lookup', 'registrar-history', 'retention'];
export const GROWTH_SCENARIOS: ScenarioKey[] = ['login', 'refresh', ...GROWTH_ONLY_SCENARIOS];
export const GROWTH_SCALE = Number(option('growth-scale') ?? 1);
if (!(GROWTH_SCALE > 0 && GROWTH_SCALE <= 1)) throw new Error(`--growth-scale must be in (0, 1], not ${option('growth-scale')}`);
// Scale-out (issue 22 point 3): one and two Kapı processes (Postgres + Redis) behind a private HAProxy,
// measured in these scenarios only; the section "Scale-out" of the report compares them per CPU-second.
export const SCALE_TARGETS: TargetKey[] = ['kapi-proxy-1', 'kapi-proxy-2'];
/**
 * The ruler scaled the same way: one and two bare oidc-provider processes behind the same kind of HAProxy,
 * pinned as Kapı's. What two processes cost the bare provider per CPU-second is the machine's price of a
 * second process (one core shared, caches, scheduling), not Kapı's; measured in client_credentials only
 * (bare keeps its state in each process's memory, so a refresh chain or a login cannot cross processes).
 */
export const CONTROL_TARGETS: TargetKey[] = ['bare-proxy-1', 'bare-proxy-2'];
export const CONTROL_SCENARIOS: ScenarioKey[] = ['cc-opaque'];
export const SCALE_SCENARIOS: ScenarioKey[] = ['cc-opaque', 'refresh', 'login'];
/**
 * Where the two processes of kapi-proxy-2 run: `same` (default) both on core 1, the core the one process
 * of kapi-proxy-1 has, so both targets have the same CPU budget and the per-CPU-second ratio is the cost
 * of being two processes; `spread` puts the second on core 0, beside the load generator and the storage.
 */
export const SCALE_CORES = option('scale-cores') ?? 'same';
if (SCALE_CORES !== 'same' && SCALE_CORES !== 'spread') throw new Error(`--scale-cores must be same or spread, not ${SCALE_CORES}`);
/** Kapı processes of a scale-out target. */
export const PROCESSES: Partial<Record<TargetKey, number>> = { 'kapi-proxy-1': 1, 'kapi-proxy-2': 2, 'bare-proxy-1': 1, 'bare-proxy-2': 2 };
/** Targets whose Kapı runs on Postgres + Redis (a database, a Redis prefix, storage pinned). */
export const ON_POSTGRES = (t: TargetKey) => t === 'kapi-pg' || t === 'kapi-pg-grown' || SCALE_TARGETS.includes(t);
export const ALL_SCENARIOS: ScenarioKey[] = [
  'discovery',
  'jwks',
  'cc-opaque',
  'cc-jwt',
  'login',
  'refresh',
  'token-under-login',
  'memory',
  'history',
  'institutions',
  'registrar-lookup',
  'registrar-history',
  'retention',
];
export const TARGETS = (option('targets')?.split(',') as TargetKey[] | undefined) ?? ALL_TARGETS;
export const SCENARIOS = (option('only')?.split(',') as ScenarioKey[] | undefined) ?? ALL_SCENARIOS;
for (const t of TARGETS) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown target ${t}`);
for (const s of SCENARIOS) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
for (const s of PROFILE_ALWAYS) if (!SCENARIOS.includes(s)) throw new Error(`--profile-scenarios: ${s} is not among the scenarios run`);

export const LABEL: Record<TargetKey, string> = {
  'kapi-pg': 'Kapı (Postgres + Redis)',
  'kapi-embedded': 'Kapı (embedded PGlite)',
  bare: 'bare oidc-provider',
  'kapi-proxy-1': 'one Kapı process behind HAProxy',
  'kapi-proxy-2': 'two Kapı processes behind HAProxy',
  'bare-proxy-1': 'one bare oidc-provider process behind HAProxy',
  'bare-proxy-2': 'two bare oidc-provider processes behind HAProxy',
  'kapi-pg-grown': 'Kapı (Postgres + Redis), grown database',
};
export const TITLE: Record<ScenarioKey, string> = {
  discovery: '1. discovery (req/s)',
  jwks: '1. JWKS (req/s)',
  'cc-opaque': '2. client_credentials, opaque (tokens/s)',
  'cc-jwt': '2. client_credentials, JWT (tokens/s)',
  refresh: '3. refresh_token + ID token (tokens/s)',
  login: '4. password logins, code+PKCE+token+userinfo (logins/s)',
  'token-under-login': '5. token p99 during logins at 80% (ms)',
  memory: '6. memory per active session',
  history: "G1. the citizen's login history page (pages/s)",
  institutions: 'G2. "institutions that received your data" page (pages/s)',
  'registrar-lookup': 'G3. registrar look-up of a person (look-ups/s)',
  'registrar-history': 'G4. registrar history of a person (histories/s)',
  retention: 'G5. retention purge while logins run at 80%',
};

export const log = (line: string) => process.stdout.write(`${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
