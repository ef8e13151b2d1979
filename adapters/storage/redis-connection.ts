import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisAuth, RedisTopology } from '../../src/config.js';
import { log } from '../../src/log.js';

/** A connection to Kapı's Redis, whatever its shape: one server, a Sentinel-managed primary, or a Cluster. */
export type RedisClient = Redis | Cluster;

// How Kapı talks to Redis when Redis misbehaves. The aim: during an outage every call fails within
// a couple of seconds with an error (the request answers 503 instead of hanging), and the client
// reconnects by itself, forever, once Redis is back, with no restart.
//
// - enableOfflineQueue stays on, so commands issued while the first connection is still being made
//   (at start, or right after a blip) wait for it instead of failing at once.
// - commandTimeout bounds every single call, including one sitting in the offline queue or sent into
//   a half-open TCP connection that never answers: this is what makes "fail fast" hold in all cases.
// - maxRetriesPerRequest: 1 flushes the offline queue with an error after the first failed reconnect,
//   so queued commands do not pile up during a long outage.
// - retryStrategy never returns null: the client keeps reconnecting with a capped back-off.
// - disconnectTimeout: on close during an outage, a socket still half-made is destroyed after this
//   (ioredis waits 2 s by default, holding up shutdown).
// - enableAutoPipelining: commands issued in the same tick (the guess limiter's three counters,
//   oidc-provider's token writes) go out in one write and come back in one read: fewer system calls
//   per request on the hot paths (issue 8).
export const REDIS_OPTIONS: RedisOptions = {
  enableAutoPipelining: true,
  connectTimeout: 2_000,
  disconnectTimeout: 500,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

/** One Redis server by URL (tests, the `kapi` command, and REDIS_URL deployments). */
export function createRedisConnection(url: string, overrides: RedisOptions = {}): Redis {
  return reportErrors(new Redis(url, { ...REDIS_OPTIONS, ...overrides }));
}

function tlsOptions(auth: RedisAuth): RedisOptions['tls'] {
  if (!auth.tls) return undefined;
  return auth.tlsCaFile ? { ca: readFileSync(auth.tlsCaFile) } : {};
}

function credentials(auth: RedisAuth): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const tls = tlsOptions(auth);
  return { ...(auth.username ? { username: auth.username } : {}), ...(auth.password ? { password: auth.password } : {}), ...(tls ? { tls } : {}) };
}

/**
 * The one factory of Kapı's Redis clients (issue 22): the state store, the limiter factory and the
 * oidc-provider adapter all share the client made here (src/services.ts), so a Sentinel or Cluster
 * deployment is configured in one place and behaves the same everywhere.
 *
 * - Sentinel: ioredis asks the sentinels for the primary whenever it (re)connects. A primary that dies
 *   closes the connection, and the reconnects (every 200 ms at first) find the promoted replica; a
 *   primary demoted while still reachable answers writes READONLY, which reconnects through the
 *   sentinels and sends the refused command again (it was not executed). ioredis's failoverDetector
 *   stays off: its disconnect on +switch-master, arriving while a reconnect is under way, ended the
 *   client for good in the failover drill ("Connection is closed." until a restart). Kapı's commands
 *   always go to the primary (role master): a replica may lag, and every read here decides something
 *   (a code's single use, a limit).
 * - Cluster: commands go to the node owning each key's slot. Every script touches keys of one slot
 *   (adapters/storage/redis-script.ts); reads go to the masters for the same reason as above.
 */
export function createRedisClient(topology: RedisTopology, overrides: RedisOptions = {}): RedisClient {
  const auth = credentials(topology.auth);
  switch (topology.kind) {
    case 'single':
      return createRedisConnection(topology.url, { ...auth, ...overrides });
    case 'sentinel': {
      const tls = tlsOptions(topology.auth);
      return reportErrors(
        new Redis({
          ...REDIS_OPTIONS,
          ...auth,
          sentinels: topology.sentinels,
          name: topology.masterName,
          role: 'master',
          ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
          ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
          failoverDetector: false,
          reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
          sentinelCommandTimeout: 1_000,
          // All sentinels unreachable: keep asking, as the data connection keeps reconnecting.
          sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
          ...overrides,
        }),
      );
    }
    case 'cluster': {
      const { retryStrategy: _retry, enableOfflineQueue, ...perNode } = { ...REDIS_OPTIONS, ...auth, ...overrides };
      const options: ClusterOptions = {
        enableAutoPipelining: true,
        enableOfflineQueue,
        scaleReads: 'master',
        // A failed node or a resharding: retry moved/failover answers briefly, then fail (503).
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        slotsRefreshTimeout: 2_000,
        clusterRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
        redisOptions: perNode,
      };
      return reportErrors(new Cluster(topology.nodes, options));
    }
  }
}

function reportErrors<T extends RedisClient>(redis: T): T {
  // Without a listener ioredis prints every reconnect failure to stderr; log it once per message instead.
  let last = '';
  redis.on('error', (err: Error) => {
    if (err.message !== last) log.warn({ err: err.message }, 'redis connection error');
    last = err.message;
  });
  redis.on('ready', () => {
    last = '';
  });
  return redis;
}
