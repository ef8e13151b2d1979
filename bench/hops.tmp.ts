// Experiment (not committed): CPU per HTTP hop of one login, sequential, Kapı pinned to core 1.
import { readFileSync, readdirSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basic, form, FORM, Jar, keepAliveAgent, request } from './lib/http.js';
import { startServer, freePort, pinSelf } from './lib/servers.js';
import { createDatabase, randomSuffix } from './lib/storage.js';
import { CALLBACK, CITIZENS, CLIENT_ID, CLIENT_SECRET, registerBenchClient } from './lib/kapi-setup.js';

pinSelf(0);
const target = process.argv[2] ?? 'kapi';
const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;
let server;
let db;
if (target === 'bare') {
  server = await startServer({ name: 'bare', script: 'bench/bare-provider.ts', port, core: 1, env: { PORT: String(port), BARE_ISSUER: issuer, BARE_CLIENT_ID: CLIENT_ID, BARE_CLIENT_SECRET: CLIENT_SECRET, BARE_CALLBACK: CALLBACK, BARE_RESOURCES: '[]' } });
} else {
  db = await createDatabase();
  const env: Record<string, string> = { PORT: String(port), KAPI_ISSUER: issuer, KAPI_LOG_LEVEL: 'warn', KAPI_DEMO: 'true', KAPI_COOKIE_KEYS: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:6379', KAPI_REDIS_PREFIX: `hops-${randomSuffix()}:` };
  await registerBenchClient(env);
  server = await startServer({ name: 'kapi', script: 'src/main.ts', port, core: 1, env, cpuProfDir: process.env.PROF });
}
const pid = server.pid;
function cpu(): { main: number; other: number } {
  let main = 0, other = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (tid === String(pid)) main += ns; else other += ns;
    } catch { /* gone */ }
  }
  return { main, other };
}
const agent = keepAliveAgent(1);
const sums = new Map<string, { main: number; other: number; n: number }>();
const b64url = (b: Buffer) => b.toString('base64url');
function add(label: string, before: { main: number; other: number }) {
  // let the pool finish: crude wait so background work lands in this hop
  const after = cpu();
  const s = sums.get(label) ?? { main: 0, other: 0, n: 0 };
  s.main += after.main - before.main; s.other += after.other - before.other; s.n++;
  sums.set(label, s);
}
const decode = (v: string) => v.replace(/&amp;/g, '&').replace(/&#x2F;/g, '/').replace(/&quot;/g, '"');
async function oneLogin(i: number, record: boolean) {
  const c = CITIZENS[i % CITIZENS.length]!;
  const jar = new Jar();
  const verifier = b64url(randomBytes(32));
  let url = new URL(`${issuer}/auth?${form({ client_id: CLIENT_ID, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid profile national_id', state: 'abcdefgh', nonce: 'nnnnnnnn', code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256' })}`);
  let init: { method?: string; body?: string } = {};
  let code: string | undefined;
  for (let hop = 0; hop < 12 && !code; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'hops', 'accept-language': 'tr' };
    const ck = jar.header(); if (ck) headers.cookie = ck;
    if (init.body !== undefined) headers['content-type'] = FORM;
    const before = cpu();
    const res = await request(agent, url, { ...init, headers });
    await new Promise((r) => setTimeout(r, 5));
    if (record && i === 1) console.log('size', hop, url.pathname, res.body.length, JSON.stringify(res.headers).length);
    if (record) add(`${hop} ${init.method ?? 'GET'} ${url.pathname.replace(/\/interaction\/[^/]+/, '/interaction/:uid').replace(/\/auth\/.+/, '/auth/:uid')} ${res.status}`, before);
    jar.store(res.headers);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      const next = new URL(res.headers.location, url);
      if (next.href.startsWith(CALLBACK)) { code = next.searchParams.get('code')!; break; }
      url = next; init = {}; continue;
    }
    let submit: { action: string; fields: Record<string, string> } | undefined;
    for (const m of res.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
      const hidden: Record<string, string> = {};
      for (const h of m[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) hidden[h[1]!] = decode(h[2]!);
      if (m[2]!.includes('name="national_id"')) { submit = { action: decode(m[1]!), fields: { ...hidden, national_id: c.nationalId, password: c.password, submit: 'login' } }; break; }
      if (/name="decision"[^>]*value="allow"/.test(m[2]!)) { submit = { action: decode(m[1]!), fields: { ...hidden, decision: 'allow' } }; break; }
    }
    if (!submit) for (const m of res.body.matchAll(/<form[^>]*action="([^"]*\/method\/password)"[^>]*>([\s\S]*?)<\/form>/g)) {
      const hidden: Record<string, string> = {};
      for (const h of m[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) hidden[h[1]!] = decode(h[2]!);
      submit = { action: decode(m[1]!), fields: hidden }; break;
    }
    if (!submit) throw new Error(`page ${res.status} ${url.pathname} ${res.body.slice(0, 200)}`);
    url = new URL(submit.action, url); init = { method: 'POST', body: form(submit.fields) };
  }
  let before = cpu();
  const tok = await request(agent, `${issuer}/token`, { method: 'POST', headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET), 'content-type': FORM }, body: form({ grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, code_verifier: verifier }) });
  await new Promise((r) => setTimeout(r, 5));
  if (record) add('t POST /token', before);
  const at = JSON.parse(tok.body).access_token;
  before = cpu();
  await request(agent, `${issuer}/me`, { headers: { authorization: `Bearer ${at}` } });
  await new Promise((r) => setTimeout(r, 5));
  if (record) add('u GET /me', before);
}
const W = Number(process.env.W ?? 150), N = Number(process.env.N ?? 300);
for (let i = 0; i < W; i++) await oneLogin(i, false);
for (let i = 0; i < N; i++) await oneLogin(i, true);
let tm = 0, to = 0;
for (const [k, s] of [...sums.entries()].sort()) { console.log(`${k.padEnd(55)} main ${(s.main / s.n / 1e6).toFixed(2)} ms  other ${(s.other / s.n / 1e6).toFixed(2)} ms  (n=${s.n})`); tm += s.main / s.n; to += s.other / s.n; }
console.log(`TOTAL per login: main ${(tm / 1e6).toFixed(2)} ms, other ${(to / 1e6).toFixed(2)} ms`);
await server.stop();
await db?.drop();
process.exit(0);
