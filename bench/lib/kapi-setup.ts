import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { log } from '../../src/log.js';
import { openServices, type Services } from '../../src/services.js';

// What the benchmark registers in Kapı before its server starts, through the same services the
// `kapi clients add` and `kapi resources add` commands use: one institution (client_secret_basic,
// ES256 ID tokens, refresh tokens, client_credentials) and two resource servers, one per token format.

export const CALLBACK = 'https://institution.example/cb';
export const CLIENT_ID = 'bench-rp';
export const CLIENT_SECRET = `bench-${randomBytes(24).toString('base64url')}`;
export const RESOURCE_SCOPE = 'bench:read';
export const RESOURCES = [
  { identifier: 'https://api.bench.example/opaque', scope: RESOURCE_SCOPE, format: 'opaque' as const },
  { identifier: 'https://api.bench.example/jwt', scope: RESOURCE_SCOPE, format: 'jwt' as const },
];
/** Demo citizens without a one-time password (src/demo/seed.ts): logins rotate over them. */
export const CITIZENS = [
  { nationalId: '10000000146', password: 'Ankara-Kizilay-1923' },
  { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68' },
  { nationalId: '99234567106', password: 'Yabanci-Kimlik-99' },
];

export async function withKapiServices<T>(env: Record<string, string>, fn: (s: Services) => Promise<T>): Promise<T> {
  log.level = 'warn';
  const services = await openServices(loadConfig(env));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

export async function registerBenchClient(env: Record<string, string>): Promise<void> {
  await withKapiServices(env, async (s) => {
    await s.clients.add({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      name: 'Benchmark Kurumu',
      redirectUris: [CALLBACK],
      authMethod: 'client_secret_basic',
      scopes: ['openid', 'profile', 'national_id', 'offline_access'],
      clientCredentials: true,
      idTokenAlg: 'ES256',
    });
    for (const rs of RESOURCES) {
      await s.resourceServers.add({
        identifier: rs.identifier,
        name: `Bench API (${rs.format})`,
        scopes: [rs.scope],
        tokenFormat: rs.format,
        accessTokenTtl: 600,
      });
    }
  });
}
