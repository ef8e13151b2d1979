import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../support/config.js';

const goodProduction = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://kapi@db/kapi',
  REDIS_URL: 'redis://cache:6379',
  KAPI_ISSUER: 'https://login.example.gov',
  KAPI_TRUST_PROXY_HOPS: '1',
  KAPI_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAPI_COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(32)}`,
  KAPI_PAIRWISE_SALT: 's'.repeat(32),
  KAPI_REGISTRY_URL: 'https://nvi.example.gov.tr/kapi',
  KAPI_REGISTRY_CERT: 'registry-client.pem',
  KAPI_REGISTRY_KEY: 'registry-client.key',
};

describe('configuration', () => {
  it('starts on the embedded default with development keys outside production', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.demo).toBe(true);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.masterKey).toHaveLength(32);
  });

  it('takes an embedded snapshot only for an in-memory embedded database', () => {
    expect(loadConfig({ DATA_DIR: ':memory:', KAPI_EMBEDDED_SNAPSHOT: '/tmp/dump.tar' }).embeddedSnapshot).toBe('/tmp/dump.tar');
    expect(configProblems({ DATA_DIR: './data', KAPI_EMBEDDED_SNAPSHOT: '/tmp/dump.tar' }).join('\n')).toMatch(/KAPI_EMBEDDED_SNAPSHOT applies only/);
    expect(configProblems({ DATA_DIR: ':memory:', DATABASE_URL: 'postgres://kapi@db/kapi', KAPI_EMBEDDED_SNAPSHOT: '/tmp/dump.tar' }).join('\n')).toMatch(
      /KAPI_EMBEDDED_SNAPSHOT applies only/,
    );
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(goodProduction);
    expect(config.production).toBe(true);
    expect(config.demo).toBe(false);
    expect(config.allowSimulators).toBe(false);
  });

  it('names every missing production secret', () => {
    const found = configProblems({ NODE_ENV: 'production' });
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAPI_ISSUER', 'KAPI_MASTER_KEY', 'KAPI_COOKIE_KEYS', 'KAPI_PAIRWISE_SALT', 'KAPI_REGISTRY_URL']) {
      expect(found.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('refuses development keys, demo data, simulators and plain http in production', () => {
    expect(configProblems({ ...goodProduction, KAPI_MASTER_KEY: 'ZGV2LW9ubHktbWFzdGVyLWtleS1ub3QtZm9yLXByb2Q' })).toEqual([
      expect.stringMatching(/public development key/),
    ]);
    expect(configProblems({ ...goodProduction, KAPI_COOKIE_KEYS: 'dev-only-cookie-key-1,dev-only-cookie-key-2' })).toContainEqual(
      expect.stringMatching(/development keys/),
    );
    expect(configProblems({ ...goodProduction, KAPI_DEMO: 'true' })).toEqual([expect.stringMatching(/demo/)]);
    expect(configProblems({ ...goodProduction, KAPI_ALLOW_SIMULATORS: 'true' })).toEqual([expect.stringMatching(/SIMULATORS/)]);
    expect(configProblems({ ...goodProduction, KAPI_ISSUER: 'http://login.example.gov' })).toEqual([expect.stringMatching(/https/)]);
    expect(configProblems({ ...goodProduction, KAPI_COOKIE_KEYS: 'short' })).toEqual([expect.stringMatching(/32 characters/)]);
  });

  it('rejects malformed values with the variable name', () => {
    expect(configProblems({ PORT: 'eighty' })[0]).toMatch(/^PORT/);
    expect(configProblems({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL/);
    expect(configProblems({ KAPI_MASTER_KEY: 'too-short' })[0]).toMatch(/32 bytes/);
  });

  describe('Redis Sentinel and Cluster (issue 22)', () => {
    const { REDIS_URL: _url, ...withoutUrl } = goodProduction;

    it('reads sentinels, the master name, both passwords and TLS', () => {
      const config = loadConfig({
        ...withoutUrl,
        KAPI_REDIS_SENTINELS: 's1.example:26379, [fd00::1]:26380',
        KAPI_REDIS_SENTINEL_MASTER: 'kapi',
        KAPI_REDIS_SENTINEL_PASSWORD: 'sp',
        KAPI_REDIS_PASSWORD: 'rp',
        KAPI_REDIS_TLS: 'true',
      });
      expect(config.redis).toEqual({
        kind: 'sentinel',
        sentinels: [
          { host: 's1.example', port: 26379 },
          { host: 'fd00::1', port: 26380 },
        ],
        masterName: 'kapi',
        sentinelPassword: 'sp',
        auth: { username: undefined, password: 'rp', tls: true, tlsCaFile: undefined },
      });
    });

    it('reads cluster seed nodes', () => {
      const config = loadConfig({ ...withoutUrl, KAPI_REDIS_CLUSTER_NODES: 'r1:7000,r2:7001' });
      expect(config.redis).toMatchObject({
        kind: 'cluster',
        nodes: [
          { host: 'r1', port: 7000 },
          { host: 'r2', port: 7001 },
        ],
      });
    });

    it('keeps REDIS_URL as one server, with TLS from rediss://', () => {
      expect(loadConfig({ REDIS_URL: 'rediss://cache:6380' }).redis).toMatchObject({ kind: 'single', url: 'rediss://cache:6380', auth: { tls: true } });
      expect(loadConfig({}).redis).toBeUndefined();
    });

    it('refuses two ways to Redis, sentinels without a master name, and malformed addresses', () => {
      expect(configProblems({ ...goodProduction, KAPI_REDIS_CLUSTER_NODES: 'r1:7000' })).toEqual([
        expect.stringMatching(/REDIS_URL and KAPI_REDIS_CLUSTER_NODES: choose one/),
      ]);
      expect(configProblems({ ...withoutUrl, KAPI_REDIS_SENTINELS: 's1:26379' })).toEqual([expect.stringMatching(/^KAPI_REDIS_SENTINEL_MASTER is missing/)]);
      expect(configProblems({ KAPI_REDIS_CLUSTER_NODES: 'r1' })[0]).toMatch(/^KAPI_REDIS_CLUSTER_NODES/);
      expect(configProblems({ KAPI_REDIS_SENTINELS: 's1:99999' })[0]).toMatch(/^KAPI_REDIS_SENTINELS/);
    });

    it('production accepts sentinels or a cluster instead of REDIS_URL', () => {
      expect(configProblems({ ...withoutUrl, KAPI_REDIS_CLUSTER_NODES: 'r1:7000' })).toEqual([]);
      expect(configProblems(withoutUrl)).toEqual([expect.stringMatching(/^REDIS_URL is missing/)]);
    });
  });
});
