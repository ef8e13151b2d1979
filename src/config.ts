import path from 'node:path';
import { z } from 'zod';
import { defaultArgon2Concurrency } from './runtime/thread-pool.js';

// All configuration comes from environment variables, validated here once at start. The dev defaults
// make `npm start` work on a fresh machine; NODE_ENV=production refuses every one of them.
const DEV_MASTER_KEY = 'ZGV2LW9ubHktbWFzdGVyLWtleS1ub3QtZm9yLXByb2Q'; // base64url of a public 32-byte string
const DEV_COOKIE_KEYS = 'dev-only-cookie-key-1,dev-only-cookie-key-2';
const DEV_PAIRWISE_SALT = 'dev-only-pairwise-salt';
/** Seconds a client's clock may be ahead of (or behind) Kapı's for the time claims of the JWTs it sends. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;

const boolean = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A positive whole number of attempts (a limit of 0 would refuse everybody; a fraction means nothing). */
const count = z.coerce.number().int().min(1).max(1_000_000);
/** Whole seconds, at least 1 and at most a day: Redis turns a zero expiry into "forever". */
const seconds = z.coerce.number().int().min(1).max(86_400);

/** `host:port,host:port`: Sentinel or Cluster seed addresses. */
function hostPorts(name: string) {
  return z.string().transform((value, ctx) => {
    const list = value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((entry) => {
        const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(entry);
        const port = match ? Number(match[2]) : 0;
        return match && port >= 1 && port <= 65535 ? { host: match[1]!.replace(/^\[|\]$/g, ''), port } : undefined;
      });
    if (list.length === 0 || list.some((a) => !a)) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a comma-separated list of host:port` });
      return z.NEVER;
    }
    return list as RedisAddress[];
  });
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  KAPI_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KAPI_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  KAPI_ISSUER: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** A PGlite data-directory dump (PGlite's dumpDataDir) an in-memory embedded database starts from. */
  KAPI_EMBEDDED_SNAPSHOT: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  KAPI_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('kapi:'),
  KAPI_REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  KAPI_REDIS_WAIT_MS: z.coerce.number().int().min(1).max(10_000).default(500),
  // Replicated Redis through ioredis's own support (issue 22): Sentinel or Cluster instead of REDIS_URL.
  KAPI_REDIS_SENTINELS: hostPorts('KAPI_REDIS_SENTINELS').optional(),
  KAPI_REDIS_SENTINEL_MASTER: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  KAPI_REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  KAPI_REDIS_CLUSTER_NODES: hostPorts('KAPI_REDIS_CLUSTER_NODES').optional(),
  KAPI_REDIS_USERNAME: z.string().min(1).optional(),
  KAPI_REDIS_PASSWORD: z.string().min(1).optional(),
  KAPI_REDIS_TLS: boolean.default(false),
  KAPI_REDIS_TLS_CA: z.string().min(1).optional(),
  KAPI_MASTER_KEY: z.string().optional(),
  KAPI_COOKIE_KEYS: z.string().optional(),
  KAPI_PAIRWISE_SALT: z.string().optional(),
  KAPI_DEMO: boolean.optional(),
  KAPI_ALLOW_SIMULATORS: boolean.default(false),
  KAPI_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  KAPI_ARGON2_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  KAPI_POOL_NICE: z.coerce.number().int().min(0).max(19).default(10),
  KAPI_RETENTION_DAYS: z.coerce.number().int().min(1).default(730),
  KAPI_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(120).default(DEFAULT_CLOCK_TOLERANCE_SECONDS),
  KAPI_ESIGN_TRUST_ANCHORS: z.string().optional(),
  KAPI_IDCARD_TRUST_ANCHORS: z.string().optional(),
  KAPI_PKI_INTERMEDIATES: z.string().optional(),
  KAPI_REVOCATION_MODE: z.enum(['fail-closed', 'fail-open', 'off']).default('fail-closed'),
  KAPI_REVOCATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
  KAPI_REVOCATION_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  KAPI_MOBILE_OPERATORS: z.string().min(1).optional(),
  KAPI_MOBILE_SIMULATOR: boolean.optional(),
  KAPI_MOBILE_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KAPI_BANKS_FILE: z.string().optional(),
  KAPI_DEMO_BANK: boolean.optional(),
  KAPI_SMS_GATEWAY_URL: z.url().optional(),
  KAPI_SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  KAPI_SMS_GATEWAY_USER: z.string().min(1).optional(),
  KAPI_SMS_GATEWAY_PASSWORD: z.string().optional(),
  KAPI_SMS_SENDER_ID: z
    .string()
    .regex(/^[A-Za-z0-9 ]{1,11}$|^\+?[0-9]{3,15}$/, 'must be 1-11 letters/digits or a number')
    .default('KAPI'),
  KAPI_SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  KAPI_SMS_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  KAPI_SMTP_HOST: z.string().min(1).optional(),
  KAPI_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  KAPI_SMTP_TLS: z.enum(['implicit', 'starttls', 'none']).default('starttls'),
  KAPI_SMTP_USER: z.string().min(1).optional(),
  KAPI_SMTP_PASSWORD: z.string().optional(),
  KAPI_SMTP_FROM: z.string().min(3).default('Kapı <no-reply@localhost>'),
  KAPI_SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  KAPI_PUSH_GATEWAY_URL: z.url().optional(),
  KAPI_PUSH_GATEWAY_TOKEN: z.string().min(1).optional(),
  KAPI_GEOIP_FILE: z.string().min(1).optional(),
  KAPI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Guess limits and device cookies (src/security/guess-limiter.ts, src/security/device-cookies.ts).
  KAPI_DEVICE_COOKIE_DAYS: z.coerce.number().int().min(1).max(730).default(180),
  KAPI_GUESS_DELAY_AFTER: count.optional(),
  KAPI_GUESS_MAX_DELAY_SECONDS: seconds.optional(),
  KAPI_GUESS_LOCK_AFTER: count.optional(),
  KAPI_GUESS_WINDOW_SECONDS: seconds.optional(),
  KAPI_GUESS_LOCK_SECONDS: seconds.optional(),
  KAPI_GUESS_IP_LIMIT: count.optional(),
  KAPI_GUESS_IP_WINDOW_SECONDS: seconds.optional(),
  KAPI_GUESS_IP_BLOCK_SECONDS: seconds.optional(),
  KAPI_GUESS_PREFIX_LENGTH: z.coerce.number().int().min(1).max(10).optional(),
  KAPI_GUESS_PREFIX_LIMIT: count.optional(),
  KAPI_GUESS_PREFIX_WINDOW_SECONDS: seconds.optional(),
  KAPI_GUESS_PREFIX_DELAY_SECONDS: seconds.optional(),
  // NIST SP 800-63B 5.2.2: no more than 100 consecutive failures before the password method is hard-limited.
  KAPI_GUESS_HARD_LIMIT: z.coerce.number().int().min(1).max(100).optional(),
  KAPI_GUESS_HARD_LIMIT_DAYS: z.coerce.number().int().min(1).max(24).optional(),
  KAPI_SECOND_FACTOR_GUESSES: z.coerce.number().int().min(1).max(20).optional(),
  KAPI_APPROVALS_PER_SIGN_IN: z.coerce.number().int().min(1).max(20).optional(),
  KAPI_APPROVALS_PER_ACCOUNT: count.optional(),
  KAPI_APPROVALS_WINDOW_SECONDS: seconds.optional(),
  KAPI_APPROVAL_LOCK_SECONDS: seconds.optional(),
  // What strangers can cost others (issue 25): operator requests and verification codes, per hour.
  KAPI_MSSP_REQUESTS_PER_NUMBER_HOUR: z.coerce.number().int().min(1).max(1000).default(10),
  KAPI_MSSP_REQUESTS_PER_HOUR: count.default(20_000),
  KAPI_CODES_PER_ACCOUNT_HOUR: z.coerce.number().int().min(1).max(100).default(5),
  KAPI_CODES_PER_TARGET_HOUR: z.coerce.number().int().min(1).max(1000).default(20),
  // The population registry (adapters/population-registry/https-client.ts; README "Population registry").
  KAPI_REGISTRY_URL: z.url().optional(),
  KAPI_REGISTRY_CERT: z.string().min(1).optional(),
  KAPI_REGISTRY_KEY: z.string().min(1).optional(),
  KAPI_REGISTRY_CA: z.string().min(1).optional(),
  KAPI_REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  KAPI_REGISTRY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  KAPI_REGISTRY_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
});

export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * Where Kapı's short-lived state lives (adapters/storage/redis-connection.ts builds the one client of
 * each kind): one server (REDIS_URL), a primary found through Sentinel, or a Redis Cluster.
 */
export type RedisTopology =
  | { kind: 'single'; url: string; auth: RedisAuth }
  | { kind: 'sentinel'; sentinels: RedisAddress[]; masterName: string; sentinelPassword: string | undefined; auth: RedisAuth }
  | { kind: 'cluster'; nodes: RedisAddress[]; auth: RedisAuth };

/** Credentials and TLS for the data nodes (and the sentinels, which share the TLS setting). */
export interface RedisAuth {
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** PEM file of the CA that signed the servers' certificates (default: the system's CAs). */
  tlsCaFile: string | undefined;
}

export interface Config {
  production: boolean;
  port: number;
  host: string;
  /**
   * The operator's listener (/readyz, /metrics): its own port, loopback unless configured. On by default
   * in production (PORT + 1); elsewhere only when KAPI_ADMIN_PORT is set (else they stay on the public port).
   */
  admin: { port: number; host: string } | undefined;
  issuer: string;
  dataDir: string;
  /**
   * DATA_DIR=:memory: only: start the in-memory PGlite from this dump instead of an empty cluster. Creating
   * an empty cluster runs initdb inside WebAssembly, seconds of CPU; the tests start one Kapı per suite and
   * load a migrated dump made once per run (test/support/global-setup.ts).
   */
  embeddedSnapshot: string | undefined;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** The Redis deployment: REDIS_URL, Sentinel or Cluster (undefined: process memory). */
  redis: RedisTopology | undefined;
  /** Prefix of every Redis key (several Kapı deployments, or test runs, can share one Redis). */
  redisPrefix: string;
  /** Redis replicas that must confirm writes a failover must not lose (ended sessions' marks), and how long to wait. */
  redisReplicaWait: { replicas: number; timeoutMs: number };
  masterKey: Buffer;
  cookieKeys: string[];
  pairwiseSalt: string;
  demo: boolean;
  allowSimulators: boolean;
  trustProxyHops: number;
  argon2Concurrency: number;
  /** Niceness given to the libuv pool threads (argon2, async crypto) by the server's entry point; 0 leaves them. */
  poolNice: number;
  retentionDays: number;
  /** Clock skew allowed on the time claims of JWTs clients send (client assertions, request objects, DPoP proofs). */
  clockToleranceSeconds: number;
  logLevel: string;
  /** Smart-card trust: anchor files per profile (comma-separated paths); none means the method is off. */
  /** Online banking: the JSON file of banks (interactions/banking/bank-file.ts), and whether the demo bank runs on PORT + 3. */
  banking: { file: string | undefined; demoBank: boolean };
  smartCard: {
    eSignatureAnchors: string[];
    idCardAnchors: string[];
    intermediates: string[];
    revocation: { mode: 'fail-closed' | 'fail-open' | 'off'; timeoutMs: number; cacheSeconds: number };
  };
  /** Mobile signature: the operators file (JSON, see README), or the MSSP simulator for every operator. */
  mobileSignature: { operatorsFile: string | undefined; simulator: boolean; simulatorPort: number };
  /** SMS gateway and SMTP (src/messaging-wiring.ts); absent parts use the outboxes where simulators are allowed. */
  messaging: {
    sms?: {
      endpoint: string;
      token?: string | undefined;
      username?: string | undefined;
      password?: string | undefined;
      senderId: string;
      timeoutMs: number;
      retries: number;
    };
    smtp?: {
      host: string;
      port: number;
      tls: 'implicit' | 'starttls' | 'none';
      username?: string | undefined;
      password?: string | undefined;
      from: string;
      timeoutMs: number;
    };
  };
  /** The push gateway for registered devices (interactions/second-factor/wire.ts); absent: the outbox where simulators are allowed. */
  push: { endpoint: string; token?: string | undefined } | undefined;
  /** CSV of `network/prefix,place` for the approximate place shown with device approvals (adapters/geoip). */
  geoipFile: string | undefined;
  /** Guess limits, budgets and device cookies; a limit left out keeps its default (README, "Limits"). */
  limits: LimitSettings;
  /** The population registry over HTTPS with mutual TLS (files as paths, read at start); absent: the fixtures (never in production). */
  populationRegistry: PopulationRegistrySettings | undefined;
  /**
   * The KAPI_* variables this file does not read: a method module's own settings (KAPI_PASSKEYS, ...),
   * which its configuration schema reads, so that adding a method never edits this file.
   */
  moduleEnvironment: Readonly<Record<string, string>>;
}

export interface PopulationRegistrySettings {
  url: string;
  /** PEM files: Kapı's client certificate and key, and the CA of the registry's server certificate (absent: Node's public roots). */
  certFile: string | undefined;
  keyFile: string | undefined;
  caFile: string | undefined;
  timeoutMs: number;
  cacheSeconds: number;
  cacheSize: number;
}

/** Settings of the password guess limiter (src/security/guess-limiter.ts): only those set by the environment. */
export interface GuessLimitSettings {
  delayAfter?: number;
  maxDelaySeconds?: number;
  lockAfter?: number;
  windowSeconds?: number;
  lockSeconds?: number;
  ipLimit?: number;
  ipWindowSeconds?: number;
  ipBlockSeconds?: number;
  prefixLength?: number;
  prefixLimit?: number;
  prefixWindowSeconds?: number;
  prefixDelaySeconds?: number;
  hardLimit?: number;
  hardLimitDays?: number;
}

export interface LimitSettings {
  /** Lifetime of a browser's device token (OWASP device cookies). */
  deviceCookieDays: number;
  guess: GuessLimitSettings;
  /** Wrong SMS / TOTP codes before the second stage locks; undefined keeps the default (5). */
  secondFactorGuesses: number | undefined;
  /** Device approvals: per sign-in, per account and window, and the lock after a refusal (only those set). */
  approvals: { perSignIn?: number; perAccount?: number; windowSeconds?: number; lockSeconds?: number };
  /** Mobile-signature requests that reach an operator, per GSM number per hour and in all per hour (strangers). */
  mobileSignature: { requestsPerNumberHour: number; requestsPerHour: number };
  /** Contact verification codes (SMS and e-mail) per account and channel, and per phone number or address, per hour. */
  codes: { perAccountHour: number; perTargetHour: number };
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Kapı cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function paths(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => path.resolve(p));
}

function decodeKey(value: string): Buffer | undefined {
  const candidates = [
    Buffer.from(value, 'base64url'),
    Buffer.from(value, 'base64'),
    /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.alloc(0),
  ];
  return candidates.find((b) => b.length === 32);
}

/** KAPI_* variables not read above: the method modules' own (src/engine/module.ts, `configSchema`). */
function moduleEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const known = new Set(Object.keys(schema.shape));
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('KAPI_') && !known.has(e[0]) && typeof e[1] === 'string'));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (e.KAPI_EMBEDDED_SNAPSHOT && (e.DATABASE_URL || e.DATA_DIR !== ':memory:'))
    problems.push('KAPI_EMBEDDED_SNAPSHOT applies only to an in-memory embedded database (DATA_DIR=:memory: and no DATABASE_URL)');

  if (production) {
    if (!e.DATABASE_URL) problems.push('DATABASE_URL is missing: production does not run on the embedded PGlite database');
    if (!e.REDIS_URL && !e.KAPI_REDIS_SENTINELS && !e.KAPI_REDIS_CLUSTER_NODES)
      problems.push('REDIS_URL is missing (or KAPI_REDIS_SENTINELS / KAPI_REDIS_CLUSTER_NODES): production does not keep sessions in process memory');
    if (!e.KAPI_ISSUER) problems.push('KAPI_ISSUER is missing: the public https URL of this Kapı');
    else if (!e.KAPI_ISSUER.startsWith('https://')) problems.push('KAPI_ISSUER must be an https:// URL in production');
    if (!e.KAPI_MASTER_KEY) problems.push('KAPI_MASTER_KEY is missing: 32 random bytes, base64 (openssl rand -base64 32)');
    else if (e.KAPI_MASTER_KEY === DEV_MASTER_KEY) problems.push('KAPI_MASTER_KEY is the public development key');
    if (!e.KAPI_COOKIE_KEYS) problems.push('KAPI_COOKIE_KEYS is missing: comma-separated random strings of 32+ characters');
    else if (e.KAPI_COOKIE_KEYS === DEV_COOKIE_KEYS) problems.push('KAPI_COOKIE_KEYS are the public development keys');
    if (!e.KAPI_PAIRWISE_SALT) problems.push('KAPI_PAIRWISE_SALT is missing: a random string of 32+ characters, never changed once set');
    else if (e.KAPI_PAIRWISE_SALT === DEV_PAIRWISE_SALT) problems.push('KAPI_PAIRWISE_SALT is the public development salt');
    if (e.KAPI_DEMO) problems.push('KAPI_DEMO=true: demo institution and demo citizens are not allowed in production');
    if (e.KAPI_ALLOW_SIMULATORS) problems.push('KAPI_ALLOW_SIMULATORS=true is not allowed in production');
    if (e.KAPI_MOBILE_SIMULATOR && !e.KAPI_ALLOW_SIMULATORS) problems.push('KAPI_MOBILE_SIMULATOR=true: the MSSP simulator is not allowed in production');
    if (e.KAPI_DEMO_BANK && !e.KAPI_ALLOW_SIMULATORS)
      problems.push('KAPI_DEMO_BANK=true: the demo bank is a simulator, not allowed in production (KAPI_ALLOW_SIMULATORS)');
    if (e.KAPI_SMS_GATEWAY_URL && !e.KAPI_SMS_GATEWAY_URL.startsWith('https://'))
      problems.push('KAPI_SMS_GATEWAY_URL must be an https:// URL in production (codes travel in it)');
    if (e.KAPI_PUSH_GATEWAY_URL && !e.KAPI_PUSH_GATEWAY_URL.startsWith('https://'))
      problems.push('KAPI_PUSH_GATEWAY_URL must be an https:// URL in production');
    if (e.KAPI_SMTP_HOST && e.KAPI_SMTP_TLS === 'none') problems.push('KAPI_SMTP_TLS=none is not allowed in production (codes travel by mail)');
    if (e.KAPI_REVOCATION_MODE === 'off') problems.push('KAPI_REVOCATION_MODE=off is not allowed in production: certificates must be checked for revocation');
    if (!e.KAPI_REGISTRY_URL)
      problems.push(
        'KAPI_REGISTRY_URL is missing: production needs the population registry (password reset, office issuance and first sign-ins by bank, card or mobile signature ask it, and would answer 503 to the people who need them). Set its https URL, Kapı\'s client certificate and key (KAPI_REGISTRY_CERT, KAPI_REGISTRY_KEY) and its CA (KAPI_REGISTRY_CA): README "Population registry"',
      );
    else if (!e.KAPI_REGISTRY_URL.startsWith('https://'))
      problems.push('KAPI_REGISTRY_URL must be an https:// URL in production (identity records travel in it, over mutual TLS)');
    else if (!e.KAPI_REGISTRY_CERT || !e.KAPI_REGISTRY_KEY)
      problems.push(
        'KAPI_REGISTRY_CERT and KAPI_REGISTRY_KEY are missing: the population registry answers only a client that presents its certificate (mutual TLS)',
      );
    if (e.KAPI_REVOCATION_MODE === 'fail-open')
      problems.push('KAPI_REVOCATION_MODE=fail-open is not allowed in production: a certificate whose revocation status cannot be learnt must be refused');
  }
  // Kapı itself speaks plain HTTP. With an https issuer its cookies are Secure, and a Secure cookie can be
  // set only on a request known to have arrived over TLS, which Kapı learns from the proxy in front of it
  // (X-Forwarded-Proto, trusted for KAPI_TRUST_PROXY_HOPS hops). With no trusted hop every sign-in would
  // fail with a 500 at its first cookie: refuse to start instead, saying why.
  if (e.KAPI_ISSUER?.startsWith('https://') && e.KAPI_TRUST_PROXY_HOPS === 0) {
    problems.push(
      'KAPI_ISSUER is https but KAPI_TRUST_PROXY_HOPS is 0: Kapı serves plain HTTP and would never see a request as secure, so no sign-in cookie could be set. Put Kapı behind the TLS-terminating proxy and set KAPI_TRUST_PROXY_HOPS to the number of proxies in front of it (usually 1)',
    );
  }

  const masterKey = decodeKey(e.KAPI_MASTER_KEY ?? DEV_MASTER_KEY);
  if (!masterKey) problems.push('KAPI_MASTER_KEY must decode (base64, base64url or hex) to exactly 32 bytes');
  const cookieKeys = (e.KAPI_COOKIE_KEYS ?? DEV_COOKIE_KEYS)
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (production && cookieKeys.some((k) => k.length < 32)) problems.push('every KAPI_COOKIE_KEYS entry must be at least 32 characters');
  if (production && (e.KAPI_PAIRWISE_SALT?.length ?? 0) < 32 && e.KAPI_PAIRWISE_SALT) problems.push('KAPI_PAIRWISE_SALT must be at least 32 characters');

  if (Boolean(e.KAPI_REGISTRY_CERT) !== Boolean(e.KAPI_REGISTRY_KEY))
    problems.push('KAPI_REGISTRY_CERT and KAPI_REGISTRY_KEY go together: the client certificate and its private key');
  if ((e.KAPI_REGISTRY_CERT || e.KAPI_REGISTRY_CA) && !e.KAPI_REGISTRY_URL?.startsWith('https://'))
    problems.push('KAPI_REGISTRY_CERT and KAPI_REGISTRY_CA need an https:// KAPI_REGISTRY_URL');
  if (e.KAPI_SMS_GATEWAY_TOKEN && e.KAPI_SMS_GATEWAY_USER)
    problems.push('KAPI_SMS_GATEWAY_TOKEN and KAPI_SMS_GATEWAY_USER: choose one way to authenticate to the SMS gateway');

  const redisKinds = [
    e.REDIS_URL && 'REDIS_URL',
    e.KAPI_REDIS_SENTINELS && 'KAPI_REDIS_SENTINELS',
    e.KAPI_REDIS_CLUSTER_NODES && 'KAPI_REDIS_CLUSTER_NODES',
  ].filter(Boolean);
  if (redisKinds.length > 1) problems.push(`${redisKinds.join(' and ')}: choose one way to reach Redis`);
  if (e.KAPI_REDIS_SENTINELS && !e.KAPI_REDIS_SENTINEL_MASTER)
    problems.push('KAPI_REDIS_SENTINEL_MASTER is missing: the name the sentinels monitor the primary under (their `sentinel monitor <name> ...`)');

  if (problems.length) throw new ConfigError(problems);

  const redisAuth: RedisAuth = {
    username: e.KAPI_REDIS_USERNAME,
    password: e.KAPI_REDIS_PASSWORD,
    tls: e.KAPI_REDIS_TLS || Boolean(e.REDIS_URL?.startsWith('rediss://')),
    tlsCaFile: e.KAPI_REDIS_TLS_CA ? path.resolve(e.KAPI_REDIS_TLS_CA) : undefined,
  };
  const redis: RedisTopology | undefined = e.REDIS_URL
    ? { kind: 'single', url: e.REDIS_URL, auth: redisAuth }
    : e.KAPI_REDIS_SENTINELS
      ? {
          kind: 'sentinel',
          sentinels: e.KAPI_REDIS_SENTINELS,
          masterName: e.KAPI_REDIS_SENTINEL_MASTER!,
          sentinelPassword: e.KAPI_REDIS_SENTINEL_PASSWORD,
          auth: redisAuth,
        }
      : e.KAPI_REDIS_CLUSTER_NODES
        ? { kind: 'cluster', nodes: e.KAPI_REDIS_CLUSTER_NODES, auth: redisAuth }
        : undefined;

  const issuer = (e.KAPI_ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    admin: e.KAPI_ADMIN_PORT !== undefined || production ? { port: e.KAPI_ADMIN_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 1), host: e.KAPI_ADMIN_HOST } : undefined,
    issuer,
    dataDir: e.DATA_DIR === ':memory:' ? e.DATA_DIR : path.resolve(e.DATA_DIR),
    embeddedSnapshot: e.KAPI_EMBEDDED_SNAPSHOT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redis,
    redisPrefix: e.KAPI_REDIS_PREFIX,
    redisReplicaWait: { replicas: e.KAPI_REDIS_WAIT_REPLICAS, timeoutMs: e.KAPI_REDIS_WAIT_MS },
    masterKey: masterKey!,
    cookieKeys,
    pairwiseSalt: e.KAPI_PAIRWISE_SALT ?? DEV_PAIRWISE_SALT,
    demo: e.KAPI_DEMO ?? !production,
    allowSimulators: e.KAPI_ALLOW_SIMULATORS || !production,
    trustProxyHops: e.KAPI_TRUST_PROXY_HOPS,
    argon2Concurrency: e.KAPI_ARGON2_CONCURRENCY ?? defaultArgon2Concurrency(env),
    poolNice: e.KAPI_POOL_NICE,
    retentionDays: e.KAPI_RETENTION_DAYS,
    clockToleranceSeconds: e.KAPI_CLOCK_TOLERANCE_SECONDS,
    logLevel: e.KAPI_LOG_LEVEL,
    banking: {
      file: e.KAPI_BANKS_FILE ? path.resolve(e.KAPI_BANKS_FILE) : undefined,
      // On by default on the embedded demo (not for in-memory test servers, which start their own banks).
      demoBank: e.KAPI_DEMO_BANK ?? ((e.KAPI_DEMO ?? !production) && !production && e.DATA_DIR !== ':memory:'),
    },
    smartCard: {
      eSignatureAnchors: paths(e.KAPI_ESIGN_TRUST_ANCHORS),
      idCardAnchors: paths(e.KAPI_IDCARD_TRUST_ANCHORS),
      intermediates: paths(e.KAPI_PKI_INTERMEDIATES),
      revocation: { mode: e.KAPI_REVOCATION_MODE, timeoutMs: e.KAPI_REVOCATION_TIMEOUT_MS, cacheSeconds: e.KAPI_REVOCATION_CACHE_SECONDS },
    },
    mobileSignature: {
      operatorsFile: e.KAPI_MOBILE_OPERATORS ? path.resolve(e.KAPI_MOBILE_OPERATORS) : undefined,
      // The embedded demo (npm start) gets the simulator beside it; tests and production ask for it.
      simulator: e.KAPI_MOBILE_SIMULATOR ?? (!production && (e.KAPI_DEMO ?? true) && !e.KAPI_MOBILE_OPERATORS && e.DATA_DIR !== ':memory:'),
      simulatorPort: e.KAPI_MOBILE_SIMULATOR_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 2),
    },
    messaging: {
      sms: e.KAPI_SMS_GATEWAY_URL
        ? {
            endpoint: e.KAPI_SMS_GATEWAY_URL,
            token: e.KAPI_SMS_GATEWAY_TOKEN,
            username: e.KAPI_SMS_GATEWAY_USER,
            password: e.KAPI_SMS_GATEWAY_PASSWORD,
            senderId: e.KAPI_SMS_SENDER_ID,
            timeoutMs: e.KAPI_SMS_TIMEOUT_MS,
            retries: e.KAPI_SMS_RETRIES,
          }
        : undefined,
      smtp: e.KAPI_SMTP_HOST
        ? {
            host: e.KAPI_SMTP_HOST,
            port: e.KAPI_SMTP_PORT ?? (e.KAPI_SMTP_TLS === 'implicit' ? 465 : 587),
            tls: e.KAPI_SMTP_TLS,
            username: e.KAPI_SMTP_USER,
            password: e.KAPI_SMTP_PASSWORD,
            from: e.KAPI_SMTP_FROM,
            timeoutMs: e.KAPI_SMTP_TIMEOUT_MS,
          }
        : undefined,
    },
    push: e.KAPI_PUSH_GATEWAY_URL ? { endpoint: e.KAPI_PUSH_GATEWAY_URL, token: e.KAPI_PUSH_GATEWAY_TOKEN } : undefined,
    geoipFile: e.KAPI_GEOIP_FILE ? path.resolve(e.KAPI_GEOIP_FILE) : undefined,
    limits: {
      deviceCookieDays: e.KAPI_DEVICE_COOKIE_DAYS,
      guess: defined({
        delayAfter: e.KAPI_GUESS_DELAY_AFTER,
        maxDelaySeconds: e.KAPI_GUESS_MAX_DELAY_SECONDS,
        lockAfter: e.KAPI_GUESS_LOCK_AFTER,
        windowSeconds: e.KAPI_GUESS_WINDOW_SECONDS,
        lockSeconds: e.KAPI_GUESS_LOCK_SECONDS,
        ipLimit: e.KAPI_GUESS_IP_LIMIT,
        ipWindowSeconds: e.KAPI_GUESS_IP_WINDOW_SECONDS,
        ipBlockSeconds: e.KAPI_GUESS_IP_BLOCK_SECONDS,
        prefixLength: e.KAPI_GUESS_PREFIX_LENGTH,
        prefixLimit: e.KAPI_GUESS_PREFIX_LIMIT,
        prefixWindowSeconds: e.KAPI_GUESS_PREFIX_WINDOW_SECONDS,
        prefixDelaySeconds: e.KAPI_GUESS_PREFIX_DELAY_SECONDS,
        hardLimit: e.KAPI_GUESS_HARD_LIMIT,
        hardLimitDays: e.KAPI_GUESS_HARD_LIMIT_DAYS,
      }),
      secondFactorGuesses: e.KAPI_SECOND_FACTOR_GUESSES,
      approvals: defined({
        perSignIn: e.KAPI_APPROVALS_PER_SIGN_IN,
        perAccount: e.KAPI_APPROVALS_PER_ACCOUNT,
        windowSeconds: e.KAPI_APPROVALS_WINDOW_SECONDS,
        lockSeconds: e.KAPI_APPROVAL_LOCK_SECONDS,
      }),
      mobileSignature: { requestsPerNumberHour: e.KAPI_MSSP_REQUESTS_PER_NUMBER_HOUR, requestsPerHour: e.KAPI_MSSP_REQUESTS_PER_HOUR },
      codes: { perAccountHour: e.KAPI_CODES_PER_ACCOUNT_HOUR, perTargetHour: e.KAPI_CODES_PER_TARGET_HOUR },
    },
    populationRegistry: e.KAPI_REGISTRY_URL
      ? {
          url: e.KAPI_REGISTRY_URL,
          certFile: e.KAPI_REGISTRY_CERT ? path.resolve(e.KAPI_REGISTRY_CERT) : undefined,
          keyFile: e.KAPI_REGISTRY_KEY ? path.resolve(e.KAPI_REGISTRY_KEY) : undefined,
          caFile: e.KAPI_REGISTRY_CA ? path.resolve(e.KAPI_REGISTRY_CA) : undefined,
          timeoutMs: e.KAPI_REGISTRY_TIMEOUT_MS,
          cacheSeconds: e.KAPI_REGISTRY_CACHE_SECONDS,
          cacheSize: e.KAPI_REGISTRY_CACHE_SIZE,
        }
      : undefined,
    moduleEnvironment: moduleEnvironment(env),
  };
}
