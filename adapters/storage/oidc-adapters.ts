import type { Sealer } from '../../src/security/crypto.js';
import type { ConsumeRestore, Database, EndedSessionMarks, OidcAdapter, OidcPayload } from './port.js';
import type { ReplayHandler } from './oidc-common.js';
import { MemoryOidcAdapter, MemoryOidcStore } from './oidc-memory.js';
import { PostgresClientAdapter, PostgresOidcAdapter } from './oidc-postgres.js';
import { RedisOidcAdapter } from './oidc-redis.js';
import type { ClientCache } from './client-cache.js';
import type { ReplicaWait } from './replica-wait.js';
import type { RedisClient } from './redis-connection.js';

// The `adapter` of oidc-provider's configuration: one class, constructed once per model name,
// that sends each model to where it belongs. What must outlive a restart (institutions, grants,
// refresh tokens) goes to Postgres; everything short-lived and hot goes to Redis, or to this
// process's memory when there is no Redis (one process only).

export type OidcBackend = 'postgres' | 'redis' | 'memory';

/** Models kept in Postgres; every other model is short-lived (Redis, or memory without Redis). */
export const OIDC_MODEL_ROUTES: Readonly<Record<string, 'postgres'>> = Object.freeze({
  Client: 'postgres',
  Grant: 'postgres',
  RefreshToken: 'postgres',
});

export function oidcBackendFor(model: string, hasRedis: boolean): OidcBackend {
  return OIDC_MODEL_ROUTES[model] ?? (hasRedis ? 'redis' : 'memory');
}

export interface OidcAdapterFactoryOptions {
  db: Database;
  sealer: Sealer;
  redis?: RedisClient | undefined;
  /** Redis key prefix, "kapi:" by default (tests use a random one). */
  redisPrefix?: string | undefined;
  /** Institutions' metadata kept in process (invalidated over pub/sub by the owner). */
  clientCache?: ClientCache | undefined;
  /** Redis replicas that must confirm single uses and ended sessions' marks (DESIGN.md "Replicated Redis"). */
  replicaWait?: ReplicaWait | undefined;
}

export type OidcAdapterClass = new (model: string) => OidcAdapter & EndedSessionMarks & ConsumeRestore & { readonly backend: OidcBackend };

export function createOidcAdapterFactory(options: OidcAdapterFactoryOptions): OidcAdapterClass {
  const { db, sealer, redis, redisPrefix, clientCache, replicaWait } = options;
  const memory = redis ? undefined : new MemoryOidcStore();

  // A code or refresh token presented twice at the same time: the loser of consume() revokes the
  // whole grant everywhere it has records (short-lived store and Postgres) and the grant itself,
  // as oidc-provider does for a replay it sees itself (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
  const onReplay: ReplayHandler = async (grantId) => {
    await Promise.all([
      // revokeByGrantId spans every model of its backend, so the model named here does not matter.
      shortLived('AccessToken').revokeByGrantId(grantId),
      new PostgresOidcAdapter('RefreshToken', db).revokeByGrantId(grantId),
      new PostgresOidcAdapter('Grant', db).destroy(grantId),
    ]);
  };

  function shortLived(model: string): OidcAdapter & EndedSessionMarks {
    return redis
      ? new RedisOidcAdapter(model, redis, { prefix: redisPrefix, onReplay, replicaWait })
      : new MemoryOidcAdapter(model, memory as MemoryOidcStore, { onReplay });
  }

  function build(model: string): OidcAdapter & Partial<EndedSessionMarks> & Partial<ConsumeRestore> {
    if (model === 'Client') return new PostgresClientAdapter(db, sealer, clientCache);
    if (OIDC_MODEL_ROUTES[model] === 'postgres') return new PostgresOidcAdapter(model, db, { onReplay });
    return shortLived(model);
  }

  return class KapiOidcAdapter implements OidcAdapter, EndedSessionMarks, ConsumeRestore {
    readonly backend: OidcBackend;
    readonly #inner: OidcAdapter & Partial<EndedSessionMarks> & Partial<ConsumeRestore>;
    readonly #model: string;

    constructor(model: string) {
      this.backend = oidcBackendFor(model, redis !== undefined);
      this.#inner = build(model);
      this.#model = model;
    }

    upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
      return this.#inner.upsert(id, payload, expiresIn as number);
    }

    find(id: string): Promise<OidcPayload | undefined> {
      return this.#inner.find(id);
    }

    findByUid(uid: string): Promise<OidcPayload | undefined> {
      return this.#inner.findByUid(uid);
    }

    findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
      return this.#inner.findByUserCode(userCode);
    }

    consume(id: string): Promise<void> {
      return this.#inner.consume(id);
    }

    destroy(id: string): Promise<void> {
      return this.#inner.destroy(id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return this.#inner.revokeByGrantId(grantId);
    }

    restoreConsumed(id: string): Promise<void> {
      if (!this.#inner.restoreConsumed) throw new TypeError(`the ${this.backend} adapter of ${this.#model} cannot restore a consumed record`);
      return this.#inner.restoreConsumed(id);
    }

    markSessionEnded(uid: string, ttlSeconds: number): Promise<void> {
      if (!this.#inner.markSessionEnded) throw new TypeError(`the ${this.backend} adapter of ${this.#model} keeps no session marks`);
      return this.#inner.markSessionEnded(uid, ttlSeconds);
    }
  };
}
