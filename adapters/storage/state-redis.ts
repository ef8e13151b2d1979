import { Cluster } from 'ioredis';
import { KapiError } from '../../src/errors.js';
import type { StateStore } from './port.js';
import { createRedisConnection, type RedisClient } from './redis-connection.js';
import { type ReplicaWait, waitForReplicas } from './replica-wait.js';
import { RedisScript } from './redis-script.js';
import { ttlToMs } from './state-memory.js';

// Short-lived state in Redis (REDIS_URL set): shared by every Kapı process. Every operation touches
// one key, so it runs on Redis Cluster as is; callers that need several keys in one place put a
// {hash tag} in their key names. Needs Redis 6.2 or newer (GETDEL).

const COMPARE_AND_SET = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
`);

// The expiry is set when the counter is created (and repaired if a counter somehow lost it), never
// pushed back by later increments: a fixed window, as rate limits expect.
const INCR_WITH_EXPIRY = new RedisScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`);

interface Channel {
  handlers: Set<(message: string) => void>;
  ready: Promise<unknown>;
}

export interface RedisStateStoreOptions {
  /** Prepended to every key and channel; tests use a random one. */
  prefix?: string;
  /**
   * With Redis replicas: the writes a failover must not undo (a single use taken, a replay guard set, a
   * state moved on, a counter raised) wait for this many replicas; unconfirmed, the call fails (503).
   */
  replicaWait?: ReplicaWait | undefined;
}

export class RedisStateStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly #client: RedisClient;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #replicaWait: ReplicaWait | undefined;
  #subscriber: RedisClient | undefined;
  readonly #channels = new Map<string, Channel>();

  /** Takes a URL (the store owns the connection) or an existing connection (the caller closes it). */
  constructor(connection: string | RedisClient, options: RedisStateStoreOptions = {}) {
    this.#ownsClient = typeof connection === 'string';
    this.#client = typeof connection === 'string' ? createRedisConnection(connection) : connection;
    this.#prefix = options.prefix ?? 'kapi:';
    this.#replicaWait = options.replicaWait;
  }

  /** The command connection, to share with the oidc-provider adapters. */
  get client(): RedisClient {
    return this.#client;
  }

  async #durable(key: string): Promise<void> {
    await waitForReplicas(this.#client, this.#replicaWait, key);
  }

  #key(key: string): string {
    return this.#prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return guard(this.#client.get(this.#key(key)));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await guard(this.#client.set(this.#key(key), value, 'PX', ttlToMs(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const set = (await guard(this.#client.set(this.#key(key), value, 'PX', ttlToMs(ttlSeconds), 'NX'))) === 'OK';
    if (set) await this.#durable(this.#key(key));
    return set;
  }

  async compareAndSet(key: string, expected: string | null, next: string, ttlSeconds: number): Promise<boolean> {
    const args = [expected === null ? '1' : '0', expected ?? '', next, ttlToMs(ttlSeconds)];
    const set = (await guard(COMPARE_AND_SET.run(this.#client, [this.#key(key)], args))) === 1;
    if (set) await this.#durable(this.#key(key));
    return set;
  }

  async take(key: string): Promise<string | null> {
    const value = await guard(this.#client.getdel(this.#key(key)));
    if (value !== null) await this.#durable(this.#key(key));
    return value;
  }

  async del(key: string): Promise<void> {
    await guard(this.#client.del(this.#key(key)));
  }

  async incr(key: string, ttlSeconds: number): Promise<number> {
    const n = Number(await guard(INCR_WITH_EXPIRY.run(this.#client, [this.#key(key)], [ttlToMs(ttlSeconds)])));
    await this.#durable(this.#key(key));
    return n;
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await guard(this.#client.pttl(this.#key(key)));
    if (ms === -2) return null;
    if (ms === -1) return Number.POSITIVE_INFINITY; // only keys written outside this store lack an expiry
    return Math.ceil(ms / 1000);
  }

  async publish(channel: string, message: string): Promise<void> {
    await guard(this.#client.publish(this.#key(channel), message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const subscriber = this.#subscriberConnection();
    const name = this.#key(channel);
    let entry = this.#channels.get(name);
    if (!entry) {
      // One SUBSCRIBE per channel, shared by every handler; ioredis re-subscribes after a reconnect.
      const created: Channel = { handlers: new Set(), ready: guard(subscriber.subscribe(name)) };
      created.ready.catch(() => {
        if (this.#channels.get(name) === created) this.#channels.delete(name);
      });
      this.#channels.set(name, created);
      entry = created;
    }
    const handlers = entry.handlers;
    const handler = (message: string): void => onMessage(message);
    handlers.add(handler);
    try {
      // Resolves once Redis confirmed the subscription, so a publish after this call is received.
      await entry.ready;
    } catch (err) {
      handlers.delete(handler);
      throw err;
    }
    return async () => {
      if (!handlers.delete(handler) || handlers.size > 0) return;
      if (this.#channels.get(name)?.handlers === handlers) this.#channels.delete(name);
      await guard(subscriber.unsubscribe(name));
    };
  }

  // A connection in subscriber mode cannot run other commands, so subscriptions get their own,
  // opened on the first subscribe only (most processes never subscribe).
  #subscriberConnection(): RedisClient {
    if (!this.#subscriber) {
      const client = this.#client;
      const subscriber: RedisClient = client instanceof Cluster ? client.duplicate() : client.duplicate();
      subscriber.on('error', () => {}); // reported by the command connection already
      subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.#channels.get(channel)?.handlers ?? []) handler(message);
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  async ping(): Promise<void> {
    await guard(this.#client.ping());
  }

  async close(): Promise<void> {
    this.#channels.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    await Promise.all([subscriber ? quit(subscriber) : undefined, this.#ownsClient ? quit(this.#client) : undefined]);
  }
}

// QUIT lets pending replies arrive; without a live connection there is nothing to wait for, and a
// queued QUIT would only hold the process open until its command timeout.
async function quit(redis: RedisClient): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

// Connection failures become KapiError('storage_unavailable') (a 503 for the person); an error
// reply from Redis itself (wrong type, script error) is a bug and stays as it is, except the replies
// of a failover in progress (a demoted primary, a replica still loading, a cluster slot without master).
const FAILOVER_REPLY = /^(READONLY|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN) /;

async function guard<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof Error && err.name === 'ReplyError' && !FAILOVER_REPLY.test(err.message)) throw err;
    throw new KapiError('storage_unavailable', 'Redis is unavailable', {}, { cause: err });
  }
}
