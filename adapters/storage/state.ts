import type { StateStore } from './port.js';
import { MemoryStateStore } from './state-memory.js';
import { RedisStateStore } from './state-redis.js';

/** Redis when a URL is configured (any number of processes), process memory otherwise (one process). */
export function createStateStore(redisUrl?: string): StateStore {
  return redisUrl ? new RedisStateStore(redisUrl) : new MemoryStateStore();
}
