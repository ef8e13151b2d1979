// Part of `npm run bench` (bench/run.ts): the scenarios of issue 8 (discovery, JWKS, client_credentials,
// refresh, password logins, the token endpoint during logins, memory per session).

import type { Redis } from 'ioredis';
import { basic, form, FORM, keepAliveAgent, request, type Reply } from './lib/http.js';
import { login, type LoginOptions, type RelyingParty } from './lib/login.js';
import { memoryScenario } from './lib/memory.js';
import { pacedRequests } from './lib/paced.js';
import { median, percentile } from './lib/stats.js';
import { CITIZENS, RESOURCE_SCOPE, RESOURCES } from './lib/kapi-setup.js';
import {
  QUICK,
  WARMUP,
  SESSIONS,
  REFRESH_CHAINS,
  LOGIN_RATE,
  LOGIN_CONCURRENCY,
  PROBE_RATE,
  P99_SECONDS,
  SCALE_SCENARIOS,
  SCALE_TARGETS,
  CONTROL_TARGETS,
  CONTROL_SCENARIOS,
  GROWTH_SCENARIOS,
  GROWTH_ONLY_SCENARIOS,
  GROWTH_TARGETS,
  type TargetKey,
  type ScenarioKey,
  LABEL,
  TITLE,
  log,
  sleep,
} from './options.js';
import { results, setResult } from './results.js';
import { type Target, COOKIE_KEYS } from './targets.js';
import { citizensOf, consentOnce, prepareGrowth, retentionScenario } from './data-growth/scenarios.js';
import { type Outcome, takeGeneratorLoopDelay, waitForQuiet, type Body, measure, cannon, check, latencySplit } from './measure.js';

export const tokenHeaders = (rp: RelyingParty) => ({ authorization: basic(rp.clientId, rp.clientSecret), 'content-type': FORM });
export const ccBody = (format: 'opaque' | 'jwt') =>
  form({ grant_type: 'client_credentials', scope: RESOURCE_SCOPE, resource: RESOURCES.find((r) => r.format === format)!.identifier });
export const LOGIN: Omit<LoginOptions, 'nationalId' | 'password'> = { scope: 'openid profile national_id' };
let citizenTurn = 0;
/** The next citizen to sign in: the demo citizens, or on the grown database generated ones with a large history. */
export const nextCitizen = (target?: Target) => {
  const citizens = target ? citizensOf(target) : CITIZENS;
  return citizens[citizenTurn++ % citizens.length]!;
};

/** Closed loop of `concurrency` logins, or an open loop at `rate` logins/s when given. */
export async function loginLoop(
  target: Target,
  seconds: number,
  options: { concurrency?: number; rate?: number; extra?: Partial<LoginOptions> } = {},
): Promise<Outcome> {
  const concurrency = options.concurrency ?? LOGIN_CONCURRENCY;
  const agent = keepAliveAgent(concurrency * 4);
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  let requests = 0;
  let lastError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const one = async () => {
    const t0 = performance.now();
    try {
      const r = await login(agent, target.rp, { ...LOGIN, ...nextCitizen(target), ...options.extra });
      latencies.push(performance.now() - t0);
      requests += r.requests;
      ops++;
    } catch (err) {
      errors++;
      lastError = (err as Error).message;
    }
  };
  if (options.rate) {
    const inflight = new Set<Promise<void>>();
    let late = 0;
    for (let i = 0; ; i++) {
      const due = started + (i * 1000) / options.rate;
      if (due >= deadline) break;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (inflight.size >= concurrency * 4) {
        late++;
        continue;
      }
      const p = one().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    agent.destroy();
    return { ops, errors, seconds: (performance.now() - started) / 1000, latencies, lastError, extra: { late, requestsPerLogin: ops ? requests / ops : NaN } };
  }
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  agent.destroy();
  return { ops, errors, seconds: (performance.now() - started) / 1000, latencies, lastError, extra: { requestsPerLogin: ops ? requests / ops : NaN } };
}

/** Refresh chains: each worker owns a refresh token and presents the one each answer rotates to. */
export async function refreshLoop(target: Target, seconds: number): Promise<Outcome> {
  const agent = keepAliveAgent(REFRESH_CHAINS);
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  let lastError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const url = `${target.rp.issuer}/token`;
  const headers = tokenHeaders(target.rp);
  await Promise.all(
    Array.from({ length: REFRESH_CHAINS }, async () => {
      let token = target.refreshPool.pop();
      while (token && performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const res = await request(agent, url, { method: 'POST', headers, body: form({ grant_type: 'refresh_token', refresh_token: token }) });
          latencies.push(performance.now() - t0);
          const body = res.status === 200 ? (JSON.parse(res.body) as { refresh_token?: string; id_token?: string }) : undefined;
          if (body?.id_token) {
            ops++;
            token = body.refresh_token ?? token;
          } else {
            errors++;
            lastError = `${res.status} ${res.body.slice(0, 200)}`;
            token = target.refreshPool.pop();
          }
        } catch (err) {
          errors++;
          lastError = (err as Error).message;
          token = target.refreshPool.pop();
        }
      }
      if (token) target.refreshPool.push(token);
    }),
  );
  agent.destroy();
  return { ops, errors, seconds: (performance.now() - started) / 1000, latencies, lastError };
}

/** Per-target preparation of a scenario (checks, tokens); returns the measured body. */
export async function prepare(target: Target, scenario: ScenarioKey): Promise<Body> {
  const { rp } = target;
  switch (scenario) {
    case 'discovery':
    case 'jwks': {
      const url = `${rp.issuer}${scenario === 'jwks' ? '/jwks' : '/.well-known/openid-configuration'}`;
      await check(url, {}, (b) => b.includes(scenario === 'jwks' ? '"keys"' : '"issuer"'));
      return (_t, s) => cannon(url, {}, s);
    }
    case 'cc-opaque':
    case 'cc-jwt': {
      const format = scenario === 'cc-jwt' ? 'jwt' : 'opaque';
      const init = { method: 'POST', headers: tokenHeaders(rp), body: ccBody(format) };
      const url = `${rp.issuer}/token`;
      await check(url, init, (b) => {
        const token = (JSON.parse(b) as { access_token?: string }).access_token ?? '';
        return format === 'jwt' ? token.split('.').length === 3 : token.length > 0 && !token.includes('.');
      });
      return (_t, s) => cannon(url, init, s);
    }
    case 'login': {
      // The first login gives consent; it is remembered and every measured login skips the page.
      if (target.key === 'kapi-pg-grown') await consentOnce(target, LOGIN);
      else {
        const agent = keepAliveAgent(1);
        await login(agent, rp, { ...LOGIN, ...CITIZENS[0]! });
        agent.destroy();
      }
      return (t, s) => loginLoop(t, s);
    }
    case 'refresh': {
      // Refresh tokens come from real logins (offline_access needs prompt=consent). A run ends with
      // requests in flight: each worker keeps its chain's token for the next run.
      const needed = REFRESH_CHAINS + 8;
      if (target.refreshPool.length < needed) {
        const got: string[] = [];
        const agent = keepAliveAgent(8);
        try {
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              while (got.length < needed) {
                const r = await login(agent, rp, {
                  ...nextCitizen(target),
                  scope: 'openid profile national_id offline_access',
                  prompt: 'consent',
                  userinfo: false,
                });
                if (!r.tokens.refresh_token) throw new Error('the login returned no refresh token');
                got.push(r.tokens.refresh_token);
              }
            }),
          );
        } finally {
          agent.destroy();
        }
        target.refreshPool.push(...got);
      }
      return (t, s) => refreshLoop(t, s);
    }
    case 'token-under-login': {
      // The probe: client_credentials with a JWT access token (an ES256 signature, which runs on the
      // libuv thread pool beside argon2) at a fixed PROBE_RATE, first alone, then while logins are
      // started at 80% of the maximum measured in scenario 4.
      const url = `${rp.issuer}/token`;
      // The marker header lets the server time these requests (probe.mjs); nothing in Kapı reads it.
      const init = { method: 'POST', headers: { ...tokenHeaders(rp), 'x-bench-probe': '1' }, body: ccBody('jwt') };
      await check(url, init, (b) => b.includes('access_token'));
      if (!target.maxLogins && LOGIN_RATE === undefined) {
        const probe = await loginLoop(target, 5);
        target.maxLogins = probe.ops / probe.seconds;
      }
      const rate = LOGIN_RATE ?? Math.max(1, target.maxLogins! * 0.8);
      // Its own agent: the logins' sockets never carry a probe. 8 sockets are plenty at 50/s; more open
      // only if answers pile up, and then the wait for a socket counts as latency, as it should.
      const probeAgent = keepAliveAgent(8);
      const accept = (r: Reply) => r.status === 200 && r.body.includes('access_token');
      const probe = async (seconds: number, prefix: string) => {
        const out = await pacedRequests(probeAgent, url, init, { seconds, rate: PROBE_RATE, accept });
        const sorted = out.latencies.sort((a, b) => a - b);
        return { ...out, p50: percentile(sorted, 50), p99: percentile(sorted, 99), extra: { [`${prefix}sendLagMax`]: out.sendLagMax } };
      };
      await probe(2, 'warm');
      await waitForQuiet();
      await target.server.probe();
      takeGeneratorLoopDelay();
      const idle = await probe(P99_SECONDS, 'idle');
      target.idleProbe = { ...idle, extra: { ...idle.extra, ...latencySplit(await target.server.probe(), takeGeneratorLoopDelay(), 'idle') } };
      return async (t) => {
        const logins = loginLoop(t, P99_SECONDS, { rate });
        const measured = await probe(P99_SECONDS, '');
        const l = await logins;
        return {
          ...measured,
          extra: {
            ...measured.extra,
            loginsPerSecond: l.ops / l.seconds,
            loginRateAsked: rate,
            loginErrors: l.errors,
            idleP50: t.idleProbe?.p50 ?? NaN,
            idleP99: t.idleProbe?.p99 ?? NaN,
            ...t.idleProbe?.extra,
          },
        };
      };
    }
    case 'memory':
    case 'retention':
      throw new Error(`${scenario} is measured separately`);
    case 'history':
    case 'institutions':
    case 'registrar-lookup':
    case 'registrar-history':
      return prepareGrowth(target, scenario);
  }
}

export async function runScenario(scenario: ScenarioKey, all: Target[], redis: Redis | undefined): Promise<void> {
  // The scale-out targets (one and two processes behind HAProxy) answer the scale-out question only.
  // The grown database answers the data-growth question only, and the growth scenarios run on it and
  // on the empty kapi-pg only.
  const targets = all.filter(
    (t) =>
      (!SCALE_TARGETS.includes(t.key) || SCALE_SCENARIOS.includes(scenario)) &&
      (!CONTROL_TARGETS.includes(t.key) || CONTROL_SCENARIOS.includes(scenario)) &&
      (t.key !== 'kapi-pg-grown' || GROWTH_SCENARIOS.includes(scenario)) &&
      (!GROWTH_ONLY_SCENARIOS.includes(scenario) || GROWTH_TARGETS.includes(t.key)),
  );
  for (const t of all)
    if (!targets.includes(t))
      setResult(scenario, t.key, {
        runs: [],
        note: SCALE_TARGETS.includes(t.key)
          ? `not measured (scale-out: ${SCALE_SCENARIOS.join(', ')} only)`
          : CONTROL_TARGETS.includes(t.key)
            ? `not measured (scale-out's ruler: ${CONTROL_SCENARIOS.join(', ')} only)`
            : 'not measured (data growth: kapi-pg and kapi-pg-grown only)',
      });
  if (scenario === 'retention') {
    await runRetention(targets);
    return;
  }
  if (scenario === 'memory') {
    for (const target of targets) {
      if (target.key !== 'kapi-pg' || !redis || !target.redisPrefix) continue;
      log(`  ${LABEL[target.key].padEnd(26)} ${TITLE.memory}`);
      try {
        const memory = await memoryScenario({
          env: target.env,
          server: target.server,
          rp: target.rp,
          agent: keepAliveAgent(16),
          redis,
          prefix: target.redisPrefix,
          sizes: SESSIONS,
          cookieKey: COOKIE_KEYS.split(',')[0]!,
          ssoSeconds: QUICK ? 2 : 4,
          log,
        });
        setResult(scenario, target.key, { runs: [], memory });
      } catch (err) {
        log(`  ${LABEL[target.key]} memory: FAILED: ${(err as Error).message}`);
        setResult(scenario, target.key, { runs: [], error: (err as Error).message });
      }
    }
    for (const target of targets) {
      if (target.key !== 'kapi-pg')
        setResult(scenario, target.key, {
          runs: [],
          note: target.key === 'bare' ? 'not measured (in-memory adapter)' : 'sessions in process memory: not measured',
        });
    }
    return;
  }
  const ready: Target[] = [];
  const bodies = new Map<TargetKey, Body>();
  for (const t of targets) {
    try {
      bodies.set(t.key, await prepare(t, scenario));
      ready.push(t);
    } catch (err) {
      const message = (err as Error).message.split('\n').slice(0, 4).join(' | ');
      log(`  ${LABEL[t.key].padEnd(26)} ${TITLE[scenario]}: FAILED: ${message}`);
      setResult(scenario, t.key, { runs: [], error: message });
    }
  }
  await measure(scenario, ready, (t, s) => bodies.get(t.key)!(t, s), {
    warmup: scenario === 'token-under-login' ? 0 : scenario === 'login' ? Math.max(WARMUP, 2) : WARMUP,
  });
  if (scenario === 'login') {
    for (const t of ready) {
      const runs = results.login?.[t.key]?.runs ?? [];
      if (runs.length) t.maxLogins = median(runs.map((r) => r.throughput));
    }
  }
}

/**
 * Retention (data growth): on the grown database only (the empty one has nothing to purge); password
 * logins at 80% of the maximum measured in scenario 4, alone and while the purge runs. One run.
 */
async function runRetention(targets: Target[]): Promise<void> {
  for (const t of targets) {
    if (t.key !== 'kapi-pg-grown') {
      setResult('retention', t.key, { runs: [], note: 'not measured (nothing to purge on an empty database)' });
      continue;
    }
    log(`  ${LABEL[t.key].padEnd(26)} ${TITLE.retention}`);
    try {
      // The maximum measured again just before: on a shared machine the one of scenario 4, minutes
      // earlier, may be far from what the core gives now, and 80% of a stale maximum is an overload.
      await waitForQuiet();
      const max = await loginLoop(t, 5);
      const rate = LOGIN_RATE ?? Math.max(1, (max.ops / max.seconds) * 0.8);
      const r = await retentionScenario(t, rate, (target, seconds, o) => loginLoop(target, seconds, o));
      const p = (o: Outcome, q: number) =>
        percentile(
          [...(o.latencies ?? [])].sort((a, b) => a - b),
          q,
        );
      const rows = Object.values(r.deleted).reduce((a, b) => a + b, 0);
      setResult('retention', t.key, {
        runs: [
          {
            throughput: r.loginsDuring.ops / r.loginsDuring.seconds,
            ops: r.loginsDuring.ops,
            errors: r.loginsDuring.errors,
            p50: p(r.loginsDuring, 50),
            p99: p(r.loginsDuring, 99),
            kapiCpu: NaN,
            elu: NaN,
            genCpu: NaN,
            storageCpu: r.postgresCpuSeconds / r.seconds,
            otherCpu: NaN,
            extra: {
              loginRate: rate,
              aloneP50: p(r.loginsAlone, 50),
              aloneP99: p(r.loginsAlone, 99),
              aloneThroughput: r.loginsAlone.ops / r.loginsAlone.seconds,
              aloneErrors: r.loginsAlone.errors,
              rowsDeleted: rows,
              purgeSeconds: r.seconds,
              batches: r.batches,
              longestBatchMs: r.longestBatchMs,
              postgresCpuSeconds: r.postgresCpuSeconds,
              ...Object.fromEntries(Object.entries(r.deleted).map(([k, v]) => [`deleted:${k}`, v])),
            },
          },
        ],
      });
    } catch (err) {
      log(`  ${LABEL[t.key]} retention: FAILED: ${(err as Error).message}`);
      setResult('retention', t.key, { runs: [], error: (err as Error).message });
    }
  }
}
