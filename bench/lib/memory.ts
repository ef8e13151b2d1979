import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Redis } from 'ioredis';
import { lookupKey, recordKey } from '../../adapters/storage/oidc-common.js';
import type { OidcPayload } from '../../adapters/storage/port.js';
import { form, request } from './http.js';
import { login, type RelyingParty } from './login.js';
import type { ServerProcess } from './servers.js';
import { redisUsedMemory } from './storage.js';
import { CITIZENS, withKapiServices } from './kapi-setup.js';

// Scenario 6. Logging 100k people in at ~30/s would take an hour, so one real login is captured and its
// session record is written N times, each with fresh random ids of the same lengths, through Kapı's
// own oidc-provider adapter (createOidcAdapterFactory, model Session, Redis) with the TTL the real one
// got. Redis memory is read from INFO (used_memory delta; Redis is shared, so MEMORY USAGE of a sample
// of the written keys is reported beside it). Kapı's RSS and heap are read idle and after a few seconds
// of single sign-on requests (GET /auth with a signed session cookie) spread over random stored sessions,
// so the server really reads them; each reading follows a full collection in the server (probe.mjs), so
// it is what the process keeps, not garbage V8 has not collected yet.

export interface MemoryPoint {
  sessions: number;
  redisBytesPerSessionInfo: number;
  redisBytesPerSessionSampled: number;
  rssIdleKb: number;
  rssAfterSsoKb: number;
  heapAfterSsoKb: number;
  ssoRequests: number;
  ssoPerSecond: number;
  ssoError?: string;
}

export interface MemoryResult {
  baselineRssKb: number;
  templateBytes: number;
  points: MemoryPoint[];
  writeSeconds: number;
}

const randomLike = (value: unknown) =>
  typeof value === 'string'
    ? randomBytes(Math.ceil((value.length * 3) / 4) + 2)
        .toString('base64url')
        .slice(0, value.length)
    : value;

/** Koa's signed cookies (cookies + keygrip): base64url HMAC-SHA1 of "name=value" under the first key. */
function cookieSignature(name: string, value: string, key: string): string {
  return createHmac('sha1', key)
    .update(`${name}=${value}`)
    .digest('base64')
    .replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c]!);
}

export async function memoryScenario(options: {
  env: Record<string, string>;
  server: ServerProcess;
  rp: RelyingParty;
  agent: http.Agent;
  redis: Redis;
  prefix: string;
  sizes: number[];
  cookieKey: string;
  ssoSeconds: number;
  log: (line: string) => void;
}): Promise<MemoryResult> {
  const { env, server, rp, agent, redis, prefix } = options;
  const citizen = CITIZENS[0]!;
  const real = await login(agent, rp, { ...citizen, scope: 'openid profile national_id', userinfo: false });
  const sessionId = real.jar.get('kapi_session');
  if (!sessionId) throw new Error('the login set no kapi_session cookie');

  return withKapiServices(env, async (services) => {
    const sessions = new services.adapter('Session');
    const template = await sessions.find(sessionId);
    if (!template) throw new Error('the captured session is not in Redis');
    const pttl = await redis.pttl(`${prefix}oidc:{Session:${recordKey(sessionId)}}`);
    const ttlSeconds = Math.max(600, Math.floor(pttl / 1000));
    const templateBytes = Buffer.byteLength(JSON.stringify(template));

    const ids: string[] = [];
    const uids: string[] = [];
    const make = (): [string, OidcPayload] => {
      const payload = structuredClone(template) as OidcPayload & { authorizations?: Record<string, Record<string, unknown>> };
      const id = randomLike(sessionId) as string;
      payload.jti = id;
      payload.uid = randomLike(template.uid) as string;
      const now = Math.floor(Date.now() / 1000);
      payload.iat = now;
      payload.exp = now + ttlSeconds;
      payload.loginTs = now;
      for (const entry of Object.values(payload.authorizations ?? {})) {
        for (const field of ['sid', 'grantId']) if (field in entry) entry[field] = randomLike(entry[field]);
      }
      return [id, payload];
    };

    /** Single sign-on over random stored sessions for `ssoSeconds`: the server loads each from Redis. */
    const ssoBurst = async (): Promise<{ ssoRequests: number; ssoError: string | undefined; ssoSeconds: number }> => {
      let ssoRequests = 0;
      let ssoError: string | undefined;
      const ssoStart = performance.now();
      const deadline = ssoStart + options.ssoSeconds * 1000;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < deadline && !ssoError) {
            const id = ids[Math.floor(Math.random() * ids.length)]!;
            const params = {
              client_id: rp.clientId,
              redirect_uri: rp.callback,
              response_type: 'code',
              scope: 'openid profile national_id',
              state: randomBytes(8).toString('base64url'),
              code_challenge: randomBytes(32).toString('base64url'),
              code_challenge_method: 'S256',
            };
            const res = await request(agent, `${rp.issuer}/auth?${form(params)}`, {
              headers: { cookie: `kapi_session=${id}; kapi_session.sig=${cookieSignature('kapi_session', id, options.cookieKey)}` },
            });
            const location = res.headers.location ?? '';
            if (res.status === 303 && location.startsWith(rp.callback) && location.includes('code=')) ssoRequests++;
            else ssoError = `SSO answered ${res.status} ${location.slice(0, 120)} ${res.body.slice(0, 200)}`;
          }
        }),
      );
      return { ssoRequests, ssoError, ssoSeconds: (performance.now() - ssoStart) / 1000 };
    };

    /** RSS and heap after a full collection in the server. */
    const kept = async (): Promise<{ rssKb: number; heapKb: number }> => {
      const sample = await server.probe({ gc: true });
      return { rssKb: sample.rss / 1024, heapKb: sample.heapUsed / 1024 };
    };

    await new Promise((r) => setTimeout(r, 300));
    const baselineRssKb = (await kept()).rssKb;
    let baseline = await redisUsedMemory(redis);
    const points: MemoryPoint[] = [];
    let writeSeconds = 0;
    for (const size of options.sizes) {
      const started = performance.now();
      let next = ids.length;
      const workers = Array.from({ length: 128 }, async () => {
        while (next < size) {
          next++;
          const [id, payload] = make();
          await sessions.upsert(id, payload, ttlSeconds);
          ids.push(id);
          uids.push(payload.uid as string);
        }
      });
      await Promise.all(workers);
      writeSeconds += (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 300));
      const used = await redisUsedMemory(redis);
      // MEMORY USAGE of a sample: the session hash and its uid index entry.
      let sampled = 0;
      const sample = 200;
      for (let i = 0; i < sample; i++) {
        const j = Math.floor(Math.random() * ids.length);
        const a = (await redis.call('MEMORY', 'USAGE', `${prefix}oidc:{Session:${recordKey(ids[j]!)}}`, 'SAMPLES', '0')) as number | null;
        const b = (await redis.call('MEMORY', 'USAGE', `${prefix}oidc:uid:{Session:${lookupKey(uids[j]!)}}`, 'SAMPLES', '0')) as number | null;
        sampled += (a ?? 0) + (b ?? 0);
      }
      // Before the first point, one burst of the same traffic, not counted: a process that has been idle
      // (or whose heap V8 has just shrunk) grows back to its working size on the first requests, and that
      // growth is the heap's, not the sessions'. The points then compare like with like.
      if (points.length === 0) await ssoBurst();
      const rssIdleKb = (await kept()).rssKb;
      const { ssoRequests, ssoError, ssoSeconds } = await ssoBurst();
      await new Promise((r) => setTimeout(r, 300));
      const after = await kept();
      const point: MemoryPoint = {
        sessions: size,
        redisBytesPerSessionInfo: (used - baseline) / size,
        redisBytesPerSessionSampled: sampled / sample,
        rssIdleKb,
        rssAfterSsoKb: after.rssKb,
        heapAfterSsoKb: after.heapKb,
        ssoRequests,
        ssoPerSecond: ssoRequests / ssoSeconds,
        ...(ssoError ? { ssoError } : {}),
      };
      points.push(point);
      options.log(
        `    ${size} sessions: Redis ${point.redisBytesPerSessionInfo.toFixed(0)} B/session (INFO), ${point.redisBytesPerSessionSampled.toFixed(0)} B (MEMORY USAGE); Kapı RSS ${(rssIdleKb / 1024).toFixed(1)} MiB idle, ${(point.rssAfterSsoKb / 1024).toFixed(1)} MiB (heap ${(point.heapAfterSsoKb / 1024).toFixed(1)} MiB) after ${ssoRequests} SSO requests${ssoError ? ` (SSO failed: ${ssoError})` : ''}`,
      );
      // Redis memory of the SSO traffic (codes, re-saved sessions) is not the sessions': re-read the base.
      baseline += (await redisUsedMemory(redis)) - used;
    }
    return { baselineRssKb, templateBytes, points, writeSeconds };
  });
}
