// `npm run bench:trace`: the storage calls of one operation of each kind, request by request, with the
// code that sent each (issue 27). Starts one Kapı on a fresh Postgres database and Redis prefix (the
// kapi-pg target of the benchmark, unpinned, no load), preloads bench/lib/trace-calls.mjs, and runs: a
// client_credentials grant of each token format, a password login (consent already given, as in
// scenario 4), a refresh grant. The listing is what bench/notes.md's floors are checked against.
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { form, keepAliveAgent, request } from './lib/http.js';
import { CALLBACK, CITIZENS, CLIENT_ID, CLIENT_SECRET, registerBenchClient } from './lib/kapi-setup.js';
import { login, type RelyingParty } from './lib/login.js';
import { freePort, startServer } from './lib/servers.js';
import { createDatabase, deleteRedisPrefix, randomSuffix, REDIS_URL, redisClient } from './lib/storage.js';
import { ccBody, LOGIN, tokenHeaders } from './scenarios.js';
import { COOKIE_KEYS } from './targets.js';

const traceFile = path.join(os.tmpdir(), `kapi-trace-${randomSuffix()}.txt`);
const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const db = await createDatabase();
const redis = redisClient();
const redisPrefix = `kapi-trace-${randomSuffix()}:`;
const env = {
  PORT: String(port),
  KAPI_ISSUER: issuer,
  KAPI_LOG_LEVEL: 'warn',
  KAPI_DEMO: 'true',
  KAPI_COOKIE_KEYS: COOKIE_KEYS,
  DATABASE_URL: db.url,
  REDIS_URL,
  KAPI_REDIS_PREFIX: redisPrefix,
};
const labels: string[] = [];
const rp: RelyingParty = { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callback: CALLBACK };
try {
  await registerBenchClient(env);
  const server = await startServer({
    name: 'Kapı (trace)',
    script: 'src/main.ts',
    port,
    env: { ...env, TRACE_FILE: traceFile },
    nodeFlags: ['--import', './bench/lib/trace-calls.mjs'],
  });
  const agent = keepAliveAgent(1);
  const mark = async (label: string, fn: () => Promise<unknown>) => {
    labels.push(label);
    await request(agent, `${issuer}/.well-known/openid-configuration?trace=${labels.length - 1}`);
    await fn();
  };
  try {
    // Warm-up: the first login gives consent, the second gets the refresh token; neither is printed.
    await login(agent, rp, { ...LOGIN, ...CITIZENS[0]! });
    const first = await login(agent, rp, { ...CITIZENS[1]!, scope: 'openid profile national_id offline_access', prompt: 'consent', userinfo: false });
    await request(agent, `${issuer}/token`, { method: 'POST', headers: tokenHeaders(rp), body: ccBody('opaque') });
    await new Promise((r) => setTimeout(r, 300));
    await mark('START', async () => {});
    await mark('client_credentials, opaque', () => request(agent, `${issuer}/token`, { method: 'POST', headers: tokenHeaders(rp), body: ccBody('opaque') }));
    await mark('client_credentials, JWT', () => request(agent, `${issuer}/token`, { method: 'POST', headers: tokenHeaders(rp), body: ccBody('jwt') }));
    await mark('refresh_token', () =>
      request(agent, `${issuer}/token`, {
        method: 'POST',
        headers: tokenHeaders(rp),
        body: form({ grant_type: 'refresh_token', refresh_token: first.tokens.refresh_token! }),
      }),
    );
    await mark('password login (consent remembered)', () => login(agent, rp, { ...LOGIN, ...CITIZENS[0]! }));
    await new Promise((r) => setTimeout(r, 300));
    await mark('END', async () => {});
  } finally {
    agent.destroy();
    await server.stop();
  }
  const text = await readFile(traceFile, 'utf8');
  const from = text.indexOf(`trace=${labels.indexOf('START')}\n`);
  const lines = text.slice(text.indexOf('\n', from) + 1, text.indexOf(`trace=${labels.indexOf('END')}\n`)).split('\n');
  // Each request's calls, then its count; each operation's total under its heading.
  const totals = { redis: 0, sql: 0 };
  const current = { redis: 0, sql: 0, open: false };
  const closeRequest = () => {
    if (current.open) console.log(`  = ${current.redis} Redis, ${current.sql} SQL`);
    Object.assign(current, { redis: 0, sql: 0, open: false });
  };
  const closeOperation = () => {
    closeRequest();
    if (totals.redis + totals.sql) console.log(`  == operation: ${totals.redis} Redis, ${totals.sql} SQL`);
    Object.assign(totals, { redis: 0, sql: 0 });
  };
  for (const l of lines.slice(0, -1)) {
    const m = /^REQ GET \/\.well-known\/openid-configuration\?trace=(\d+)$/.exec(l);
    if (m) {
      closeOperation();
      console.log(`\n## ${labels[Number(m[1])]}`);
      continue;
    }
    if (l.startsWith('REQ ')) {
      closeRequest();
      current.open = true;
    } else {
      const kind = l.trimStart().startsWith('redis') ? 'redis' : 'sql';
      current[kind]++;
      totals[kind]++;
    }
    console.log(l);
  }
  closeOperation();
} finally {
  await rm(traceFile, { force: true });
  await deleteRedisPrefix(redis, redisPrefix);
  redis.disconnect();
  await db.drop();
}
