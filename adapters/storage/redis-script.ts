import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

// A Lua script sent by its SHA-1 (EVALSHA) and loaded on demand (EVAL) when the server does not know
// it yet (first use, after a restart or a failover). Every script here touches only the keys it is
// given, and those share a hash tag, so scripts also run on Redis Cluster.
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis | Cluster, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
