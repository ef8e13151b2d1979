import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import type { StateStore } from '../../adapters/storage/port.js';
import { createStateStore } from '../../adapters/storage/state.js';
import { MemoryStateStore } from '../../adapters/storage/state-memory.js';
import { RedisStateStore } from '../../adapters/storage/state-redis.js';
import { KapiError } from '../../src/errors.js';
import { randomSuffix, REDIS_URL, redisAvailable, requireOrSkip } from '../support/services.js';
import { waitFor } from '../support/wait.js';

// One contract for both StateStore implementations; Redis also gets its outage behaviour checked.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeRedis = requireOrSkip('Redis', await redisAvailable(), REDIS_URL);

function stateStoreContract(open: () => Promise<StateStore>): void {
  let store: StateStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });
  const k = (name: string) => `{t}:${name}:${randomSuffix()}`;

  it('sets, gets and reports the time left', async () => {
    const key = k('plain');
    expect(await store.get(key)).toBeNull();
    expect(await store.ttl(key)).toBeNull();
    await store.set(key, 'v1', 30);
    expect(await store.get(key)).toBe('v1');
    const ttl = await store.ttl(key);
    expect(ttl).toBeGreaterThan(28);
    expect(ttl).toBeLessThanOrEqual(30);
    await store.set(key, 'v2', 30);
    expect(await store.get(key)).toBe('v2');
    await store.del(key);
    expect(await store.get(key)).toBeNull();
  });

  it('forgets a value once its time is up', async () => {
    const key = k('short');
    await store.set(key, 'v', 1);
    await sleep(1_200);
    expect(await store.get(key)).toBeNull();
    expect(await store.ttl(key)).toBeNull();
  });

  it('setIfAbsent sets only once, also under concurrency', async () => {
    const key = k('lock');
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.setIfAbsent(key, `owner-${i}`, 30)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get(key)).toBe(`owner-${results.indexOf(true) + 1}`);
  });

  it('compareAndSet replaces only the expected value (null: absent)', async () => {
    const key = k('cas');
    expect(await store.compareAndSet(key, 'nope', 'a', 30)).toBe(false);
    expect(await store.get(key)).toBeNull();
    expect(await store.compareAndSet(key, null, 'a', 30)).toBe(true);
    expect(await store.compareAndSet(key, null, 'b', 30)).toBe(false);
    expect(await store.compareAndSet(key, 'x', 'b', 30)).toBe(false);
    expect(await store.compareAndSet(key, 'a', 'b', 30)).toBe(true);
    expect(await store.get(key)).toBe('b');
    const racers = await Promise.all([1, 2, 3].map((i) => store.compareAndSet(key, 'b', `c${i}`, 30)));
    expect(racers.filter(Boolean)).toHaveLength(1);
  });

  it('take returns the value once', async () => {
    const key = k('take');
    await store.set(key, 'once', 30);
    const results = await Promise.all([1, 2, 3, 4].map(() => store.take(key)));
    expect(results.filter((r) => r === 'once')).toHaveLength(1);
    expect(await store.get(key)).toBeNull();
    expect(await store.take(key)).toBeNull();
  });

  it('incr counts and sets the expiry when the counter is created, not on later increments', async () => {
    const key = k('counter');
    expect(await store.incr(key, 2)).toBe(1);
    await sleep(1_100);
    expect(await store.incr(key, 60)).toBe(2); // window not extended
    expect(await store.ttl(key)).toBeLessThanOrEqual(1);
    await sleep(1_100);
    expect(await store.get(key)).toBeNull();
    expect(await store.incr(key, 60)).toBe(1);
    const many = await Promise.all(Array.from({ length: 10 }, () => store.incr(key, 60)));
    expect(many.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('publishes to subscribers until they unsubscribe', async () => {
    const channel = k('channel');
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await store.subscribe(channel, (m) => first.push(m));
    const stopSecond = await store.subscribe(channel, (m) => second.push(m));
    await store.publish(channel, 'hello');
    await waitFor(() => first.length === 1 && second.length === 1);
    await stopFirst();
    await store.publish(channel, 'again');
    await waitFor(() => second.length === 2);
    expect(first).toEqual(['hello']);
    expect(second).toEqual(['hello', 'again']);
    await stopSecond();
    await store.publish(channel, 'nobody');
    await sleep(100);
    expect(second).toHaveLength(2);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}

describe('StateStore contract: memory', () => {
  stateStoreContract(async () => new MemoryStateStore());

  it('sweeps expired entries', async () => {
    const store = new MemoryStateStore();
    await store.set('a', '1', 0.05);
    await store.set('b', '1', 60);
    await sleep(80);
    expect(store.sweep()).toBe(1);
    await store.close();
  });

  it('refuses a non-positive ttl', async () => {
    const store = new MemoryStateStore();
    await expect(store.set('a', '1', 0)).rejects.toThrow(RangeError);
    await store.close();
  });

  it('createStateStore picks memory without a URL', async () => {
    const store = createStateStore(undefined);
    expect(store.kind).toBe('memory');
    await store.close();
  });
});

describeRedis('StateStore contract: Redis', () => {
  const prefix = `kapi:test:${randomSuffix()}:`;
  stateStoreContract(async () => new RedisStateStore(REDIS_URL, { prefix }));

  it('prefixes keys with kapi: by default (createStateStore)', async () => {
    const store = createStateStore(REDIS_URL) as RedisStateStore;
    const key = `test:{t}:${randomSuffix()}`;
    await store.set(key, 'v', 10);
    expect(await store.client.get(`kapi:${key}`)).toBe('v');
    await store.del(key);
    await store.close();
  });
});

describeRedis('RedisStateStore during an outage', () => {
  // Redis is reached through a TCP relay the test can cut and restore.
  let relay: Relay;
  let store: RedisStateStore;
  beforeAll(async () => {
    relay = await Relay.start(new URL(REDIS_URL));
    const url = new URL(REDIS_URL);
    url.host = `127.0.0.1:${relay.port}`;
    store = new RedisStateStore(url.toString(), { prefix: `kapi:test:${randomSuffix()}:` });
  });
  afterAll(async () => {
    await store?.close();
    await relay?.stop();
  });

  it('fails fast with storage_unavailable while Redis is away, and recovers by itself', async () => {
    await store.set('k', 'v', 60);
    relay.cut();
    const started = Date.now();
    const failure = await store.get('k').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(KapiError);
    expect((failure as KapiError).code).toBe('storage_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);

    relay.restore();
    const deadline = Date.now() + 10_000;
    let value: string | null | undefined;
    while (value === undefined && Date.now() < deadline) {
      value = await store.get('k').catch(() => undefined);
      if (value === undefined) await sleep(200);
    }
    expect(value).toBe('v');
  }, 20_000);

  it('fails fast when Redis was never reachable', async () => {
    const unreachable = new RedisStateStore('redis://127.0.0.1:1', { prefix: 'kapi:test:' });
    const started = Date.now();
    await expect(unreachable.get('k')).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await unreachable.close();
  });
});

/** A TCP relay to Redis whose connections can be cut (existing ones dropped, new ones refused). */
class Relay {
  #open = true;
  readonly #sockets = new Set<net.Socket>();

  private constructor(
    readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: URL): Promise<Relay> {
    let relay: Relay | undefined;
    const server = net.createServer((client) => {
      if (!relay?.open) {
        client.destroy();
        return;
      }
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      const sockets = relay.#sockets;
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new Relay(server, (server.address() as net.AddressInfo).port);
    return relay;
  }

  get open(): boolean {
    return this.#open;
  }

  cut(): void {
    this.#open = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
