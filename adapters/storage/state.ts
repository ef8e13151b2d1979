import type { StateStore } from './port.js';
import { MemoryStateStore } from './state-memory.js';
import type { RedisClient } from './redis-connection.js';
import type { ReplicaWait } from './replica-wait.js';
import { RedisStateStore } from './state-redis.js';

/**
 * Redis when a connection or URL is given (any number of processes), process memory otherwise (one
 * process). A connection passed in stays the caller's to close.
 */
export function createStateStore(redis?: string | RedisClient, prefix = 'kapi:', replicaWait?: ReplicaWait): StateStore {
  return redis ? new RedisStateStore(redis, { prefix, replicaWait }) : new MemoryStateStore();
}
