import { describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from '../../adapters/storage/redis-connection.js';
import { keySlot } from '../../adapters/storage/replica-wait.js';
import { loadConfig } from '../../src/config.js';

// The one factory of Kapı's Redis clients (issue 22): what each configuration becomes, without
// connecting (lazyConnect). The drills in test/drills/ run the same clients against real servers.

const lazy = { lazyConnect: true } as const;

describe('the Redis client factory', () => {
  it('REDIS_URL: one server, with the password and TLS of the configuration', () => {
    const redis = createRedisClient(loadConfig({ REDIS_URL: 'redis://cache:6390/2', KAPI_REDIS_PASSWORD: 'pw', KAPI_REDIS_TLS: 'true' }).redis!, lazy) as Redis;
    expect(redis).toBeInstanceOf(Redis);
    expect(redis.options).toMatchObject({ host: 'cache', port: 6390, db: 2, password: 'pw', tls: {} });
    redis.disconnect();
  });

  it('Sentinel: the master name, the sentinels, their password and TLS for both', () => {
    const config = loadConfig({
      KAPI_REDIS_SENTINELS: 's1:26379,s2:26379',
      KAPI_REDIS_SENTINEL_MASTER: 'kapi',
      KAPI_REDIS_SENTINEL_PASSWORD: 'sp',
      KAPI_REDIS_PASSWORD: 'rp',
      KAPI_REDIS_TLS: 'true',
    });
    const redis = createRedisClient(config.redis!, lazy) as Redis;
    expect(redis).toBeInstanceOf(Redis);
    expect(redis.options).toMatchObject({
      name: 'kapi',
      role: 'master',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      sentinelPassword: 'sp',
      password: 'rp',
      tls: {},
      enableTLSForSentinelMode: true,
      sentinelTLS: {},
      failoverDetector: false,
      commandTimeout: 2_000,
    });
    redis.disconnect();
  });

  it('Cluster: the seed nodes, reads on the masters, the password for every node', () => {
    const config = loadConfig({ KAPI_REDIS_CLUSTER_NODES: 'r1:7000,r2:7001', KAPI_REDIS_PASSWORD: 'rp' });
    const cluster = createRedisClient(config.redis!, lazy) as Cluster;
    expect(cluster).toBeInstanceOf(Cluster);
    expect(cluster.options).toMatchObject({
      scaleReads: 'master',
      enableAutoPipelining: true,
      redisOptions: { password: 'rp', commandTimeout: 2_000, maxRetriesPerRequest: 1 },
    });
    cluster.disconnect();
  });

  it("keySlot follows Redis Cluster's rule: the hash tag decides, else the whole key", () => {
    // Values from CLUSTER KEYSLOT on Redis 7.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('kapi:oidc:{Session:abc}')).toBe(keySlot('other:{Session:abc}'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
  });
});
