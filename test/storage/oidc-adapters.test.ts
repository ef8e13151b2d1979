import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import Provider, { errors, type AdapterConstructor } from 'oidc-provider';
import { closeDatabase, migrateLatest, openDatabase } from '../../adapters/storage/database.js';
import { createOidcAdapterFactory, OIDC_MODEL_ROUTES, oidcBackendFor } from '../../adapters/storage/oidc-adapters.js';
import { MemoryOidcAdapter, MemoryOidcStore } from '../../adapters/storage/oidc-memory.js';
import { PostgresClientAdapter, PostgresOidcAdapter, purgeExpired } from '../../adapters/storage/oidc-postgres.js';
import { RedisOidcAdapter } from '../../adapters/storage/oidc-redis.js';
import type { Database } from '../../adapters/storage/port.js';
import { createRedisConnection } from '../../adapters/storage/redis-connection.js';
import { Sealer } from '../../src/security/crypto.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, postgresAvailable, randomSuffix, REDIS_URL, redisAvailable, requireOrSkip } from '../support/services.js';
import { oidcAdapterContract, type OidcContractHarness } from './contract.js';

// One contract, every backend. Redis and Postgres are the real services (skipped locally when absent,
// required when CI=true); PGlite runs in memory everywhere.

const sealer = new Sealer(randomBytes(32));
const describeRedis = requireOrSkip('Redis', await redisAvailable(), REDIS_URL);
const describePostgres = requireOrSkip('Postgres', await postgresAvailable(), POSTGRES_ADMIN_URL);

async function redisDump(redis: Redis, prefix: string): Promise<string> {
  const keys = await redis.keys(`${prefix}*`);
  const entries: unknown[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const value = type === 'hash' ? await redis.hgetall(key) : type === 'set' ? await redis.smembers(key) : await redis.get(key);
    entries.push([key, value]);
  }
  return JSON.stringify(entries);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

async function sqlHarness(db: Database, close: () => Promise<void>): Promise<OidcContractHarness> {
  return {
    adapter: (model) => new PostgresOidcAdapter(model, db),
    dump: async () => JSON.stringify(await db('oidc_models').select('*')),
    close,
    clients: {
      sealer,
      adapter: () => new PostgresClientAdapter(db, sealer),
      rawMetadata: async (clientId) =>
        ((await db('clients').where({ client_id: clientId }).first('metadata')) as { metadata: Record<string, unknown> } | undefined)?.metadata,
      writeRawMetadata: async (clientId, metadata) => {
        await db('clients').insert({ client_id: clientId, metadata: JSON.stringify(metadata) });
      },
    },
  };
}

async function pgliteDatabase(): Promise<Database> {
  const db = await openDatabase({ dataDir: ':memory:', memory: true, snapshot: process.env.KAPI_TEST_EMBEDDED_SNAPSHOT });
  await migrateLatest(db);
  return db;
}

describe('oidc adapter contract: memory', () => {
  oidcAdapterContract(
    async () => {
      const store = new MemoryOidcStore();
      return {
        adapter: (model) => new MemoryOidcAdapter(model, store),
        dump: async () => store.dump(),
        close: async () => store.close(),
      };
    },
    { interactions: true },
  );
});

describeRedis('oidc adapter contract: Redis', () => {
  oidcAdapterContract(
    async () => {
      const redis = createRedisConnection(REDIS_URL);
      const prefix = `kapi:test:${randomSuffix()}:`;
      return {
        adapter: (model) => new RedisOidcAdapter(model, redis, { prefix }),
        dump: () => redisDump(redis, prefix),
        close: async () => {
          await deleteKeys(redis, prefix);
          await redis.quit();
        },
      };
    },
    { interactions: true },
  );
});

describe('oidc adapter contract: PGlite (in memory)', () => {
  oidcAdapterContract(
    async () => {
      const db = await pgliteDatabase();
      return sqlHarness(db, () => closeDatabase(db));
    },
    { clients: true },
  );
});

describePostgres('oidc adapter contract: Postgres', () => {
  oidcAdapterContract(
    async () => {
      const database = await createTestDatabase();
      const db = await openDatabase({ databaseUrl: database.url, dataDir: ':memory:' });
      await migrateLatest(db);
      return sqlHarness(db, async () => {
        await closeDatabase(db);
        await database.drop();
      });
    },
    { clients: true },
  );
});

describe('purgeExpired', () => {
  let db: Database;
  beforeAll(async () => {
    db = await pgliteDatabase();
  });
  afterAll(async () => {
    await closeDatabase(db);
  });

  it('deletes expired rows in batches and keeps the rest', async () => {
    const adapter = new PostgresOidcAdapter('RefreshToken', db);
    for (let i = 0; i < 5; i++) await adapter.upsert(`old-${i}`, { grantId: 'g' }, 1);
    await adapter.upsert('fresh', { grantId: 'g' }, 60);
    await adapter.upsert('forever', { grantId: 'g' });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await purgeExpired(db, 2)).toBe(5);
    expect(Number((await db('oidc_models').count('* as count'))[0]?.count)).toBe(2);
  });
});

describe('createOidcAdapterFactory', () => {
  let db: Database;
  beforeAll(async () => {
    db = await pgliteDatabase();
  });
  afterAll(async () => {
    await closeDatabase(db);
  });

  it('routes Client, Grant and RefreshToken to Postgres and the rest to the short-lived store', () => {
    expect(OIDC_MODEL_ROUTES).toEqual({ Client: 'postgres', Grant: 'postgres', RefreshToken: 'postgres' });
    const Adapter = createOidcAdapterFactory({ db, sealer });
    expect(new Adapter('Client').backend).toBe('postgres');
    expect(new Adapter('Grant').backend).toBe('postgres');
    expect(new Adapter('RefreshToken').backend).toBe('postgres');
    expect(new Adapter('AccessToken').backend).toBe('memory');
    expect(new Adapter('Session').backend).toBe('memory');
    expect(oidcBackendFor('AuthorizationCode', true)).toBe('redis');
    expect(oidcBackendFor('Grant', true)).toBe('postgres');
  });

  it('shares one memory store between the models of a factory', async () => {
    const Adapter = createOidcAdapterFactory({ db, sealer });
    await new Adapter('AccessToken').upsert('at-1', { grantId: 'g-share' }, 60);
    expect(await new Adapter('AccessToken').find('at-1')).toEqual({ grantId: 'g-share', jti: 'at-1' });
    expect(await new (createOidcAdapterFactory({ db, sealer }))('AccessToken').find('at-1')).toBeUndefined();
  });

  it('on a replayed code revokes the grant everywhere: short-lived tokens, refresh tokens and the grant', async () => {
    const Adapter = createOidcAdapterFactory({ db, sealer });
    const grantId = `grant-${randomSuffix()}`;
    await new Adapter('Grant').upsert(grantId, { accountId: 'a', clientId: 'c' }, 600);
    await new Adapter('AuthorizationCode').upsert('code-1', { grantId }, 60);
    await new Adapter('AccessToken').upsert('at-1', { grantId }, 60);
    await new Adapter('RefreshToken').upsert('rt-1', { grantId }, 600);

    const results = await Promise.allSettled([1, 2].map(() => new Adapter('AuthorizationCode').consume('code-1')));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(errors.InvalidGrant) });

    expect(await new Adapter('AccessToken').find('at-1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await new Adapter('Grant').find(grantId)).toBeUndefined();
  });

  it('plugs into oidc-provider: models save and load through it, clients come from the clients table', async () => {
    const Adapter = createOidcAdapterFactory({ db, sealer });
    const adapterOption: AdapterConstructor = Adapter; // the type oidc-provider's configuration takes
    const signingKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), alg: 'ES256' };
    const provider = new Provider('http://localhost:3000', {
      adapter: adapterOption,
      jwks: { keys: [signingKey] },
      features: { devInteractions: { enabled: false } },
      ttl: { Grant: 600, Session: 600 },
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
    });

    const grant = new provider.Grant({ accountId: 'acc-1', clientId: 'rp-1' });
    grant.addOIDCScope('openid profile');
    const grantId = await grant.save();
    const loaded = await provider.Grant.find(grantId);
    expect(loaded?.jti).toBe(grantId);
    expect(loaded?.getOIDCScope()).toBe('openid profile');

    await new PostgresClientAdapter(db, sealer).upsert('rp-1', {
      client_id: 'rp-1',
      client_secret: 'a-long-enough-secret-for-the-test',
      redirect_uris: ['https://rp.example/cb'],
    });
    const client = await provider.Client.find('rp-1');
    expect(client?.clientSecret).toBe('a-long-enough-secret-for-the-test');

    // The typings omit Session's constructor payload and save's ttl, both part of its runtime API.
    const SessionModel = provider.Session as unknown as new (payload: object) => { save(ttl: number): Promise<string> };
    await new SessionModel({ jti: 'sess-1', uid: 'uid-1', accountId: 'acc-1' }).save(60);
    expect((await provider.Session.findByUid('uid-1'))?.jti).toBe('sess-1');
  });
});

describeRedis('createOidcAdapterFactory with Redis', () => {
  let db: Database;
  let redis: Redis;
  const prefix = `kapi:test:${randomSuffix()}:`;
  beforeAll(async () => {
    db = await pgliteDatabase();
    redis = createRedisConnection(REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
    await closeDatabase(db);
  });

  it('keeps short-lived models in Redis and revokes across Redis and Postgres on a replay', async () => {
    const Adapter = createOidcAdapterFactory({ db, sealer, redis, redisPrefix: prefix });
    expect(new Adapter('AccessToken').backend).toBe('redis');
    const grantId = `grant-${randomSuffix()}`;
    await new Adapter('Grant').upsert(grantId, { accountId: 'a', clientId: 'c' }, 600);
    await new Adapter('AuthorizationCode').upsert('code-r', { grantId }, 60);
    await new Adapter('AccessToken').upsert('at-r', { grantId }, 60);
    await new Adapter('RefreshToken').upsert('rt-r', { grantId }, 600);
    expect(await redis.keys(`${prefix}oidc:*`)).not.toHaveLength(0);

    await new Adapter('AuthorizationCode').consume('code-r');
    await expect(new Adapter('AuthorizationCode').consume('code-r')).rejects.toBeInstanceOf(errors.InvalidGrant);

    expect(await new Adapter('AccessToken').find('at-r')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt-r')).toBeUndefined();
    expect(await new Adapter('Grant').find(grantId)).toBeUndefined();
  });
});
