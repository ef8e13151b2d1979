import Provider from 'oidc-provider';
import type { PopulationRegistry } from '../adapters/population-registry/port.js';
import { closeDatabase, migrateLatest, openDatabase } from '../adapters/storage/database.js';
import { createOidcAdapterFactory } from '../adapters/storage/oidc-adapters.js';
import { ClientCache, CLIENTS_CHANNEL } from '../adapters/storage/client-cache.js';
import type { Database, StateStore } from '../adapters/storage/port.js';
import { createRedisClient, type RedisClient } from '../adapters/storage/redis-connection.js';
import { createStateStore } from '../adapters/storage/state.js';
import { createLimiters } from '../adapters/storage/limiters.js';
import { KeyStore } from '../keys/key-store.js';
import { AccountRepository } from './accounts/account-repository.js';
import { ConsentRepository } from './accounts/consent-repository.js';
import { PasswordHasher } from './accounts/password-hasher.js';
import { ClientService } from './clients/client-service.js';
import type { Config } from './config.js';
import { buildConfiguration, MAX_SIGNED_LIFETIME } from './oidc/configuration.js';
import { AuditLog } from './security/audit.js';
import { ResourceServerRegistry } from './oidc/resource-servers.js';
import { Sealer } from './security/crypto.js';
import { SessionIndex } from './sessions/session-index.js';
import { TokenRevocations } from './sessions/token-revocations.js';
import type { Limiters } from './security/limiters.js';
import { createPopulationRegistry } from './population-registry-wiring.js';
import { METHOD_MODULES } from '../interactions/index.js';
import type { CredentialDisowner, CredentialsAddedSince, FactorRemover } from './engine/module.js';

/**
 * Everything that talks to storage, opened once per process and shared by the server and the `kapi`
 * command. The server adds the web layer on top (src/app.ts).
 */
export interface Services {
  config: Config;
  db: Database;
  /** The process's one Redis client (REDIS_URL, Sentinel or Cluster), shared by everything below. */
  redis: RedisClient | undefined;
  state: StateStore;
  /** Rate limits, guess limits and budgets: counters on Redis (shared) or in this process's memory. */
  limiters: Limiters;
  sealer: Sealer;
  keys: KeyStore;
  accounts: AccountRepository;
  consents: ConsentRepository;
  audit: AuditLog;
  hasher: PasswordHasher;
  registry: PopulationRegistry;
  clients: ClientService;
  resourceServers: ResourceServerRegistry;
  adapter: ReturnType<typeof createOidcAdapterFactory>;
  /** Institutions' metadata cached in this process; the server invalidates it on CLIENTS_CHANNEL. */
  clientCache: ClientCache;
  /** Kapı's sign-in sessions: who, how, from where; ends them on request. */
  sessions: SessionIndex;
  /** Revoking every token of a person or a client, and the "revoked before" times Kapı's own APIs check. */
  revocations: TokenRevocations;
  /** What each method module counts as a factor, removed by an office issuance on request (`MethodModule.removeFactors`). */
  factorRemovers: readonly FactorRemover[];
  /** By method id: how "This wasn't me" disowns the credential a sign-in used (`MethodModule.disownCredential`). */
  credentialDisowners: ReadonlyMap<string, CredentialDisowner>;
  /** By method id: the credentials added since a sign-in that "This wasn't me" disowns with it (`MethodModule.credentialsAddedSince`). */
  credentialsAddedSince: ReadonlyMap<string, CredentialsAddedSince>;
  /** A provider built with the current keys, for validating client metadata outside the server. */
  configurationFor: (jwks: Awaited<ReturnType<KeyStore['providerJwks']>>) => ReturnType<typeof buildConfiguration>;
  close(): Promise<void>;
}

export async function openServices(config: Config): Promise<Services> {
  // First: its certificate files are read and checked here, before anything is opened that would need closing.
  const registry = createPopulationRegistry(config);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, snapshot: config.embeddedSnapshot });
  try {
    await migrateLatest(db);
  } catch (err) {
    await closeDatabase(db);
    throw err;
  }
  const redis = config.redis ? createRedisClient(config.redis) : undefined;
  const state = createStateStore(redis, config.redisPrefix, config.redisReplicaWait);
  const limiters = createLimiters({ redis, keyPrefix: config.redisPrefix, replicaWait: config.redisReplicaWait });
  const sealer = new Sealer(config.masterKey);
  const keys = new KeyStore(db, sealer, MAX_SIGNED_LIFETIME);
  try {
    await keys.ensureKeys();
  } catch (err) {
    // The database went away after the migrations: close what was opened, so that startup can try again (src/startup.ts).
    await state.close().catch(() => undefined);
    redis?.disconnect();
    await closeDatabase(db);
    throw err;
  }
  const accounts = new AccountRepository(db);
  const consents = new ConsentRepository(db);
  const audit = new AuditLog(db);
  const hasher = new PasswordHasher({ concurrency: config.argon2Concurrency });
  const clientCache = new ClientCache();
  const adapter = createOidcAdapterFactory({ db, sealer, redis, redisPrefix: config.redisPrefix, clientCache, replicaWait: config.redisReplicaWait });
  const resourceServers = new ResourceServerRegistry(db);
  const revocations = new TokenRevocations(db);
  const sessions = new SessionIndex(db, adapter, revocations);
  const configurationFor: Services['configurationFor'] = (jwks) =>
    buildConfiguration({
      config,
      jwks,
      adapter,
      accounts,
      consents,
      audit,
      resourceServers,
      sessionEnded: (uid, accountId) => sessions.isEnded(uid, accountId),
      revocations,
    });

  // Client metadata is validated by oidc-provider itself, with Kapı's configuration.
  let validator: Provider | undefined;
  const clients = new ClientService(
    db,
    sealer,
    async (metadata) => {
      validator ??= new Provider(config.issuer, configurationFor(await keys.providerJwks()));
      await (validator.Client as unknown as { validate(m: unknown): Promise<void> }).validate(metadata);
    },
    async (clientId) => {
      // This process at once; the others (servers, when the `kapi` command made the change) over pub/sub.
      clientCache.invalidate(clientId);
      await state.publish(CLIENTS_CHANNEL, clientId);
    },
  );

  return {
    config,
    db,
    redis,
    state,
    limiters,
    sealer,
    keys,
    accounts,
    consents,
    audit,
    hasher,
    clients,
    resourceServers,
    adapter,
    sessions,
    revocations,
    clientCache,
    configurationFor,
    registry,
    factorRemovers: METHOD_MODULES.flatMap((m) => (m.removeFactors ? [m.removeFactors] : [])),
    credentialDisowners: new Map(METHOD_MODULES.flatMap((m) => (m.disownCredential ? m.traits.map((t) => [t.method, m.disownCredential!] as const) : []))),
    credentialsAddedSince: new Map(
      METHOD_MODULES.flatMap((m) => (m.credentialsAddedSince && m.disownCredential ? m.traits.map((t) => [t.method, m.credentialsAddedSince!] as const) : [])),
    ),
    async close() {
      registry.close?.();
      await state.close().catch(() => undefined);
      redis?.disconnect();
      await closeDatabase(db);
    },
  };
}
