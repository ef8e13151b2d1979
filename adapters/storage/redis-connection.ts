import { Redis, type RedisOptions } from 'ioredis';
import { log } from '../../src/log.js';

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

export function createRedisConnection(url: string, overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url, { ...REDIS_OPTIONS, ...overrides });
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
