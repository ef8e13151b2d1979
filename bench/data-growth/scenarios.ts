// Part of `npm run bench` (bench/run.ts): the data-growth scenarios (issue 24 point 1), measured on
// kapi-pg (an empty database) and kapi-pg-grown (a copy of the data-growth template) in the same run.
// - history, institutions: the citizen's pages over HTTP, with the session of a real sign-in to /account;
// - registrar-lookup, registrar-history: the storage calls of the registrar API's look-up and history,
//   made through Kapı's own repositories from the load generator (the API itself needs a sign-in at acr
//   `high`, by smart card or mobile signature, which the benchmark cannot make);
// - retention: the purge (src/security/retention.ts and the expired-token purge) on the grown copy while
//   password logins run at 80% of their maximum, beside the same logins without it.
// On the grown database the measured citizens are generated ones with a large history (HEAVY).

import type { Knex } from 'knex';
import { SqlRegistrarRepository } from '../../adapters/sql/registrar-repository.js';
import { openServices, type Services } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { log as kapiLog } from '../../src/log.js';
import { purgeExpired } from '../../adapters/storage/oidc-postgres.js';
import { purgePersonalData, RETENTION_BATCH } from '../../src/security/retention.js';
import { keepAliveAgent, request } from '../lib/http.js';
import { login, nextForm, type LoginOptions } from '../lib/login.js';
import { Jar } from '../lib/http.js';
import { CITIZENS } from '../lib/kapi-setup.js';
import type { SqlSample } from '../lib/servers.js';
import { percentile } from '../lib/stats.js';
import { GROWTH_PASSWORDS, growthNationalId } from './fill.js';
import type { Outcome, Body } from '../measure.js';
import { cannon, check, storageCpuSeconds } from '../measure.js';
import type { Target } from '../targets.js';
import { P99_SECONDS, type ScenarioKey, log } from '../options.js';

export const PAGE_CONNECTIONS = 4;
export type Citizen = { nationalId: string; password: string };
/** Generated citizens with a large history (accounts 1..8 of the template, among its heavy ones). */
export const HEAVY_CITIZENS: Citizen[] = Array.from({ length: 8 }, (_, i) => ({
  nationalId: growthNationalId(i + 1),
  password: GROWTH_PASSWORDS[(i + 1) % GROWTH_PASSWORDS.length]!,
}));
export const citizensOf = (t: Target): Citizen[] => (t.key === 'kapi-pg-grown' ? HEAVY_CITIZENS : CITIZENS);

/** What a target keeps for the growth scenarios: Kapı's services opened in this process, statements seen. */
export interface GrowthState {
  services: Services;
  samples: SqlSample[];
}
const states = new Map<string, GrowthState>();

async function stateOf(t: Target): Promise<GrowthState> {
  let s = states.get(t.key);
  if (!s) {
    kapiLog.level = 'warn';
    const services = await openServices(loadConfig({ ...t.env, PORT: '1' }));
    const samples: SqlSample[] = [];
    const seen = new Set<string>();
    // The load generator's own statements (registrar scenarios, retention), kept for the EXPLAIN.
    services.db.on('query', (q: { sql: string; bindings?: unknown[] }) => {
      if (seen.has(q.sql) || samples.length > 500) return;
      seen.add(q.sql);
      samples.push({ text: q.sql, values: (q.bindings ?? []).map((v) => (v instanceof Date ? v.toISOString() : v)) });
    });
    s = { services, samples };
    states.set(t.key, s);
  }
  return s;
}

export async function closeGrowthStates(): Promise<void> {
  for (const s of states.values()) await s.services.close().catch(() => undefined);
  states.clear();
}

/** Statements the load generator made on a target's database (for the EXPLAIN). */
export const generatorSamples = (t: Target): SqlSample[] => states.get(t.key)?.samples ?? [];

/** A signed-in browser of the account pages: the cookies of a password sign-in through /account/login. */
async function accountCookies(t: Target, citizen: Citizen): Promise<string> {
  const agent = keepAliveAgent(1);
  const jar = new Jar();
  const opts: LoginOptions = { ...citizen, scope: 'openid' };
  let url = new URL(`${t.rp.issuer}/account/login`);
  let init: { method?: string; body?: string } = {};
  try {
    for (let hop = 0; hop < 16; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'kapi-bench/1.0', 'accept-language': 'tr', cookie: jar.header() };
      if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await request(agent, url, { ...init, headers });
      jar.store(res.headers);
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        url = new URL(res.headers.location, url);
        init = {};
        continue;
      }
      if (res.status === 200 && url.pathname.replace(/\/$/, '') === '/account') return jar.header();
      const submit = res.status === 200 ? nextForm(res.body, opts) : undefined;
      if (!submit) throw new Error(`account sign-in: unexpected page ${res.status} at ${url.pathname}: ${res.body.replace(/\s+/g, ' ').slice(0, 200)}`);
      url = new URL(submit.action, url);
      init = { method: 'POST', body: new URLSearchParams(submit.fields).toString() };
    }
    throw new Error('account sign-in: too many hops');
  } finally {
    agent.destroy();
  }
}

/** A closed loop of `concurrency` workers calling `op`, for `seconds`. */
async function closedLoop(seconds: number, concurrency: number, op: (worker: number) => Promise<void>): Promise<Outcome> {
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  let lastError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await op(worker);
          latencies.push(performance.now() - t0);
          ops++;
        } catch (err) {
          errors++;
          lastError = (err as Error).message;
        }
      }
    }),
  );
  return { ops, errors, seconds: (performance.now() - started) / 1000, latencies, lastError };
}

/** The office whose records the registrar scenarios read: where the citizen's latest issuance was made. */
async function officeFor(db: Knex, accountId: string | undefined): Promise<string> {
  const own = accountId
    ? ((await db('registrar_issuances').where({ account_id: accountId }).orderBy('at', 'desc').first('office_code')) as { office_code: string } | undefined)
    : undefined;
  const any = (await db('registrar_offices').orderBy('code').first('code')) as { code: string } | undefined;
  return own?.office_code ?? any?.code ?? 'NONE';
}

/** Per-target preparation of a growth scenario; returns the measured body. */
export async function prepareGrowth(t: Target, scenario: ScenarioKey): Promise<Body> {
  const citizen = citizensOf(t)[0]!;
  switch (scenario) {
    case 'history':
    case 'institutions': {
      const cookie = await accountCookies(t, citizen);
      const url = `${t.rp.issuer}/account/history${scenario === 'institutions' ? '/institutions' : ''}`;
      const init = { headers: { cookie, 'accept-language': 'tr' } };
      // The page must be the person's own, filled: a sign-in page or an empty list would measure nothing.
      await check(
        url,
        init,
        (b) => b.includes('<main') && (scenario === 'history' ? b.includes('/account/history?before=') || t.key !== 'kapi-pg-grown' : true),
      );
      // 4 connections: a page costs tens of ms of CPU, and 16 waiting behind each other on a busy
      // machine ran into autocannon's 10-s timeout, which counts a slow page as none.
      return (_t, s) => cannon(url, init, s, PAGE_CONNECTIONS);
    }
    case 'registrar-lookup':
    case 'registrar-history': {
      const { services } = await stateOf(t);
      const repo = new SqlRegistrarRepository(services.db);
      const person = await services.accounts.findByNationalId(citizen.nationalId);
      if (!person) throw new Error(`no account ${citizen.nationalId}`);
      const office = await officeFor(services.db, person.id);
      const staff = `registrar:bench-${t.key}`;
      const audit = (type: string, accountId: string | undefined) =>
        services.audit.event({ type, accountId, actor: staff, ip: '127.0.0.1', detail: { office, via: 'api', nationalId: citizen.nationalId } });
      if (scenario === 'registrar-lookup')
        // RegistrarService.check after the registry's answer: the account, its password, its earlier issuances, the audit row.
        return (_t, s) =>
          closedLoop(s, 8, async () => {
            const account = await services.accounts.findByNationalId(citizen.nationalId);
            await audit('registrar.lookup', undefined);
            if (account) {
              await services.accounts.findPassword(account.id);
              await repo.countIssuances(account.id);
            }
          });
      // RegistrarService.history for one person: the account, the audit row, the office's records of
      // that person, and the people those records name.
      return (_t, s) =>
        closedLoop(s, 8, async () => {
          const account = await services.accounts.findByNationalId(citizen.nationalId);
          await audit('registrar.history', account?.id);
          const records = await repo.officeHistory(office, { accountId: account?.id });
          for (const id of new Set(records.flatMap((r) => [r.accountId, r.staffAccountId]))) await services.accounts.findById(id);
        });
    }
    default:
      throw new Error(`${scenario} is not a growth scenario`);
  }
}

export interface RetentionOutcome {
  deleted: Record<string, number>;
  batches: number;
  seconds: number;
  longestBatchMs: number;
  postgresCpuSeconds: number;
  loginsAlone: Outcome;
  loginsDuring: Outcome;
}

/**
 * Retention on the grown copy: logins at `rate` for P99_SECONDS alone, then the purge with the same
 * logins running until it ends (at least P99_SECONDS). Its statements are timed one by one (the
 * longest is the longest any lock was held).
 */
export async function retentionScenario(
  t: Target,
  rate: number,
  loginLoop: (t: Target, seconds: number, o: { rate: number }) => Promise<Outcome>,
  retentionDays = 730,
): Promise<RetentionOutcome> {
  const { services } = await stateOf(t);
  const loginsAlone = await loginLoop(t, P99_SECONDS, { rate });
  const starts = new Map<string, number>();
  let longestBatchMs = 0;
  let batches = 0;
  const onQuery = (q: { __knexQueryUid: string; sql: string }) => {
    if (/^delete\b/i.test(q.sql)) starts.set(q.__knexQueryUid, performance.now());
  };
  const onResponse = (_r: unknown, q: { __knexQueryUid: string }) => {
    const t0 = starts.get(q.__knexQueryUid);
    if (t0 === undefined) return;
    starts.delete(q.__knexQueryUid);
    batches++;
    longestBatchMs = Math.max(longestBatchMs, performance.now() - t0);
  };
  services.db.on('query', onQuery).on('query-response', onResponse);
  const cpu0 = storageCpuSeconds();
  const t0 = performance.now();
  let done = false;
  let seconds = NaN;
  let postgresCpuSeconds = NaN;
  const purge = (async () => {
    const personal = await purgePersonalData(services.db, { retentionDays, batchSize: RETENTION_BATCH });
    const tokens = await purgeExpired(services.db, RETENTION_BATCH);
    return { ...Object.fromEntries(Object.entries(personal).map(([k, v]) => [k, v.deleted])), oidc_models: tokens };
  })().finally(() => {
    seconds = (performance.now() - t0) / 1000;
    postgresCpuSeconds = storageCpuSeconds() - cpu0;
    done = true;
  });
  const parts: Outcome[] = [];
  const loginStart = performance.now();
  while (!done || performance.now() - loginStart < P99_SECONDS * 1000) parts.push(await loginLoop(t, Math.min(P99_SECONDS, 10), { rate }));
  const deleted = await purge;
  services.db.off('query', onQuery).off('query-response', onResponse);
  const latencies = parts.flatMap((p) => p.latencies ?? []);
  const loginsDuring: Outcome = {
    ops: parts.reduce((a, p) => a + p.ops, 0),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    seconds: parts.reduce((a, p) => a + p.seconds, 0),
    latencies,
    lastError: parts.find((p) => p.lastError)?.lastError,
  };
  log(
    `    purge: ${Object.entries(deleted)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} rows in ${seconds.toFixed(1)} s, ${batches} statements, longest ${longestBatchMs.toFixed(0)} ms; login p99 alone ${percentile(
      [...(loginsAlone.latencies ?? [])].sort((a, b) => a - b),
      99,
    ).toFixed(0)} ms, during ${percentile(
      [...latencies].sort((a, b) => a - b),
      99,
    ).toFixed(0)} ms`,
  );
  return { deleted, batches, seconds, longestBatchMs, postgresCpuSeconds, loginsAlone, loginsDuring };
}

/** Warms up each citizen once with prompt=consent (their consents to the bench institution). */
export async function consentOnce(t: Target, options: Omit<LoginOptions, 'nationalId' | 'password'>): Promise<void> {
  const agent = keepAliveAgent(1);
  try {
    for (const c of citizensOf(t)) await login(agent, t.rp, { ...options, ...c });
  } finally {
    agent.destroy();
  }
}
