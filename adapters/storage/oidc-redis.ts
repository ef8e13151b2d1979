import type { EndedSessionMarks, OidcAdapter, OidcPayload } from './port.js';
import { alreadyUsed, type AdapterOptions, epochNow, expiryMs, fromStored, lookupKey, openLookupBox, recordKey, toStored } from './oidc-common.js';
import type { RedisClient } from './redis-connection.js';
import { RedisScript } from './redis-script.js';
import { type ReplicaWait, waitForReplicas } from './replica-wait.js';

// oidc-provider models in Redis (sessions, interactions, codes, access tokens...). Expiry is Redis's
// own TTL. Keys (P = prefix, "kapi:" by default):
//
//   P oidc:{Model:sha256(id)}             hash: payload (JSON, no jti), consumed, grantId, grantSet, lookups
//   P oidc:grant:{sha256(grantId)}        set of the record keys issued under that grant
//   P oidc:uid:{Session:sha256(uid)}      "<record key>\n<lookup box>" (see oidc-common.ts)
//   P oidc:userCode:{Model:sha256(code)}  same, for the device flow
//   P oidc:ended:{Session:sha256(uid)}    "1" while a session with that uid must not be stored again
//
// Redis Cluster: every command and every script touches exactly one key, and each key's slot comes
// from its own {hash tag}, never from the prefix. Operations that span keys (upsert with its indexes,
// destroy, revokeByGrantId) are sequences of single-key commands ordered so that an interruption
// leaves at worst an index pointing at nothing, which the readers check for.

// Replaces the record whole (a re-save is a new version of the model) and sets its expiry; except
// that a finished interaction is never replaced by an unfinished copy (isFinishedInteraction): 0 then.
const UPSERT = new RedisScript(`
local finishing = false
for i = 3, #ARGV, 2 do
  if ARGV[i] == 'finished' then finishing = true end
end
if not finishing and redis.call('HGET', KEYS[1], 'finished') == '1' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'payload', ARGV[1])
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

// Single use: HSETNX marks the record only if no one did before. 0 missing, 1 consumed now, 2 already used.
const CONSUME = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return 1 end
return 2
`);

// The grant's set lives as long as its longest-lived member (or forever when one never expires).
const GRANT_ADD = new RedisScript(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl <= 0 then
  redis.call('PERSIST', KEYS[1])
  return 1
end
local current = redis.call('PTTL', KEYS[1])
if existed == 0 or (current >= 0 and current < ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`);

// Deletes an index entry only while it still points at the given record (a newer record may own it).
const DELETE_LOOKUP_IF_OWNED = new RedisScript(`
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`);

// Deletes a record and answers the indexes it named (its grant's set, its lookups), in one command:
// reading them first and deleting after was two (issue 27), and between the two a re-save could have
// named indexes that the delete then orphaned.
const REMOVE = new RedisScript(`
local fields = redis.call('HMGET', KEYS[1], 'grantSet', 'lookups')
redis.call('DEL', KEYS[1])
return fields
`);

/**
 * UPSERT's arguments: the payload, the expiry, then only the fields that have a value (the script
 * skips empty ones anyway; a client_credentials token has none, and each argument is encoded and
 * parsed once more per token, issue 27).
 */
function upsertArgs(
  body: string,
  ttl: number,
  consumed: number | undefined,
  grantId: string | undefined,
  grantSet: string,
  lookups: ReadonlyArray<readonly [string, string]>,
  finished: boolean,
): Array<string | number> {
  const args: Array<string | number> = [body, ttl];
  if (finished) args.push('finished', '1');
  if (consumed !== undefined) args.push('consumed', String(consumed));
  if (grantId) args.push('grantId', grantId);
  if (grantSet) args.push('grantSet', grantSet);
  if (lookups.length) args.push('lookups', lookups.map(([name]) => name).join(' '));
  return args;
}

export interface RedisOidcAdapterOptions extends AdapterOptions {
  prefix?: string | undefined;
  /** With replicas: how many must confirm a single use or an ended session's mark, and how long to wait. */
  replicaWait?: ReplicaWait | undefined;
}

export class RedisOidcAdapter implements OidcAdapter, EndedSessionMarks {
  readonly #model: string;
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #options: RedisOidcAdapterOptions;

  constructor(model: string, redis: RedisClient, options: RedisOidcAdapterOptions = {}) {
    this.#model = model;
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'kapi:';
    this.#options = options;
  }

  #recordKey(key: string): string {
    return `${this.#prefix}oidc:{${this.#model}:${key}}`;
  }

  #grantSetKey(grantKey: string): string {
    return `${this.#prefix}oidc:grant:{${grantKey}}`;
  }

  #lookupKey(kind: 'uid' | 'userCode' | 'ended', key: string): string {
    return `${this.#prefix}oidc:${kind}:{${this.#model}:${key}}`;
  }

  async upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    const stored = toStored(this.#model, id, payload);
    const key = this.#recordKey(stored.key);
    const ttl = expiryMs(expiresIn) ?? 0;
    const grantSet = stored.grantKey ? this.#grantSetKey(stored.grantKey) : '';
    const lookups = [
      stored.uid && ([this.#lookupKey('uid', stored.uid.key), stored.uid.box] as const),
      stored.userCode && ([this.#lookupKey('userCode', stored.userCode.key), stored.userCode.box] as const),
    ].filter((entry) => !!entry);

    // The indexes are sent first and the record last, in one pipeline (one round trip, issue 8): Redis
    // runs them in this order, so an interruption leaves at worst an index pointing at nothing, which
    // the readers check for; never a record that its grant's revocation would miss.
    const writes = [
      grantSet ? GRANT_ADD.run(this.#redis, [grantSet], [key, ttl]) : undefined,
      ...lookups.map(([name, box]) => (ttl > 0 ? this.#redis.set(name, `${key}\n${box}`, 'PX', ttl) : this.#redis.set(name, `${key}\n${box}`))),
      UPSERT.run(this.#redis, [key], upsertArgs(stored.body, ttl, stored.consumed, stored.grantId, grantSet, lookups, stored.finished)),
    ];
    // A session's mark of having ended is read in the same pipeline, after the record is written. The
    // ending sets the mark before it destroys the record, so either the ending destroys this version, or
    // this read sees the mark and the version is removed here: a request that loaded the session before
    // the ending cannot leave it written back (issue 25). The mark and the record live in different
    // Redis Cluster slots, hence a read after the write instead of one script.
    const ended = stored.uid ? this.#redis.exists(this.#lookupKey('ended', stored.uid.key)) : undefined;
    const [, endedCount] = await Promise.all([Promise.all(writes), ended]);
    if (endedCount) await this.#remove(key);
  }

  async find(id: string): Promise<OidcPayload | undefined> {
    const fields = await this.#redis.hgetall(this.#recordKey(recordKey(id)));
    if (fields.payload === undefined) return undefined;
    return fromStored(id, fields.payload, fields.consumed === undefined ? undefined : Number(fields.consumed));
  }

  async findByUid(uid: string): Promise<OidcPayload | undefined> {
    return this.#findBy('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<OidcPayload | undefined> {
    return this.#findBy('userCode', userCode);
  }

  async #findBy(kind: 'uid' | 'userCode', value: string): Promise<OidcPayload | undefined> {
    const entry = await this.#redis.get(this.#lookupKey(kind, lookupKey(value)));
    const box = entry?.slice(entry.indexOf('\n') + 1);
    const id = box && openLookupBox(box, value, kind);
    if (!id) return undefined;
    const payload = await this.find(id);
    return payload?.[kind] === value ? payload : undefined;
  }

  async consume(id: string): Promise<void> {
    const key = this.#recordKey(recordKey(id));
    const outcome = await CONSUME.run(this.#redis, [key], [epochNow()]);
    if (outcome === 1) {
      // A code's use must outlive a failover before anything is issued for it: otherwise the promoted
      // replica would still hold it unused, and it could be redeemed a second time.
      await waitForReplicas(this.#redis, this.#options.replicaWait, key);
      return;
    }
    if (outcome === 2) {
      const grantId = await this.#redis.hget(key, 'grantId');
      if (grantId) await (this.#options.onReplay ?? ((g) => this.revokeByGrantId(g)))(grantId);
    }
    throw alreadyUsed();
  }

  async destroy(id: string): Promise<void> {
    await this.#remove(this.#recordKey(recordKey(id)));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantSet = this.#grantSetKey(lookupKey(grantId));
    const members = await this.#redis.smembers(grantSet);
    if (members.length === 0) return;
    await Promise.all(members.map((member) => this.#remove(member)));
    // Only the members seen are removed: a token issued meanwhile stays listed and revocable.
    await this.#redis.srem(grantSet, ...members);
  }

  async markSessionEnded(uid: string, ttlSeconds: number): Promise<void> {
    const mark = this.#lookupKey('ended', lookupKey(uid));
    await this.#redis.set(mark, '1', 'PX', Math.max(1, Math.ceil(ttlSeconds * 1000)));
    await waitForReplicas(this.#redis, this.#options.replicaWait, mark);
  }

  async #remove(key: string): Promise<void> {
    const [grantSet, lookups] = (await REMOVE.run(this.#redis, [key], [])) as [string | null, string | null];
    await Promise.all([
      grantSet ? this.#redis.srem(grantSet, key) : undefined,
      ...(lookups ? lookups.split(' ') : []).map((name) => DELETE_LOOKUP_IF_OWNED.run(this.#redis, [name], [`${key}\n`])),
    ]);
  }
}
