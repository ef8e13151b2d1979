// `npm run drill:previous-release` (issue 22 point 2): the previous release's code and this one's, side by
// side on one database and one Redis, as in a rolling deployment. Not a test and never in CI: it fetches
// and starts a second tree (DESIGN.md: "the previous-release drill runs outside CI").
//
//   --previous=<git ref>   the release to run beside this checkout (default: the newest tag v*)
//   --keep                 leave the extracted tree in place (its path is printed)
//
// The sequence is a rolling deployment's:
//   1. the previous release alone on a fresh database (its migrations), a citizen signs in;
//   2. this release starts on the same database and Redis (it migrates the schema while the previous
//      release serves), behind one HAProxy with the same secrets and issuer;
//   3. every step of a sign-in alternates between the two processes, both ways; refresh tokens issued by
//      one are redeemed by the other; userinfo answers on both; single use holds across versions;
//   4. the previous release restarts on the new schema (a crash or an autoscaler during the rollout).
// Each step is printed as it passes or fails; the report goes to bench/results/previous-release.md.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHaproxy } from './lib/haproxy.js';
import { basic, form, FORM, keepAliveAgent, request } from './lib/http.js';
import { CALLBACK, CITIZENS } from './lib/kapi-setup.js';
import { login, type RelyingParty } from './lib/login.js';
import { freeLowPort } from './lib/ports.js';
import { ROOT } from './lib/servers.js';
import { createDatabase, deleteRedisPrefix, randomSuffix, REDIS_URL, redisClient } from './lib/storage.js';
import { SERVER_NODE_FLAGS } from '../src/runtime/node-flags.js';

const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { previous: { type: 'string' }, keep: { type: 'boolean' } } });

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

function newestReleaseTag(): string {
  const tags = git('tag', '--list', 'v*', '--sort=-v:refname').split('\n').filter(Boolean);
  if (!tags[0]) throw new Error('no release tag (v*) in this repository: name the previous release with --previous=<git ref>');
  return tags[0];
}

const previousRef = values.previous ?? newestReleaseTag();
const previousCommit = git('rev-parse', '--short', `${previousRef}^{commit}`);
const currentCommit = git('rev-parse', '--short', 'HEAD');

interface Step {
  what: string;
  ok: boolean;
  detail?: string;
}
const steps: Step[] = [];
// Each step builds on the ones before it: after a failure the rest are listed as not run.
async function step(what: string, run: () => Promise<string | undefined>): Promise<boolean> {
  if (steps.some((s) => !s.ok)) {
    steps.push({ what, ok: false, detail: 'not run (an earlier step failed)' });
    console.log(`  --    ${what}: not run`);
    return false;
  }
  try {
    const detail = await run();
    steps.push({ what, ok: true, ...(detail ? { detail } : {}) });
    console.log(`  ok    ${what}${detail ? ` (${detail})` : ''}`);
    return true;
  } catch (err) {
    const detail = (err as Error).message.split('\n').slice(0, 6).join(' | ');
    steps.push({ what, ok: false, detail });
    console.log(`  FAIL  ${what}: ${detail}`);
    return false;
  }
}

/** The previous release's files (git archive), with this checkout's node_modules when the lock files agree. */
function extractPrevious(): { dir: string; dependencies: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kapi-previous-${previousCommit}-`));
  execFileSync('bash', ['-c', `git archive ${previousCommit} | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  const sameLock = readFileSync(path.join(dir, 'package-lock.json'), 'utf8') === readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8');
  if (sameLock) {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    return { dir, dependencies: 'the same package-lock.json: this checkout node_modules' };
  }
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  return { dir, dependencies: 'its own package-lock.json: npm ci' };
}

interface Running {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A Kapı server process of a tree (`src/main.ts` under tsx, with the server's node flags). */
async function startKapi(name: string, tree: string, env: Record<string, string>, port: number): Promise<Running> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], {
    cwd: tree,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-6_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const agent = keepAliveAgent(1);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited during start:\n${out.slice(-1_500)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer within 120 s:\n${out.slice(-1_500)}`);
    }
    const status = await request(agent, `http://127.0.0.1:${port}/.well-known/openid-configuration`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  agent.destroy();
  return {
    child,
    output: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Registers the drill's institution through the previous release's own services (its schema, its API). */
function registerThroughPrevious(tree: string, env: Record<string, string>, client: Record<string, unknown>): void {
  const script = path.join(tree, 'drill-register.mts');
  writeFileSync(
    script,
    [
      "import { loadConfig } from './src/config.ts';",
      "import { openServices } from './src/services.ts';",
      'const services = await openServices(loadConfig(process.env));',
      'await services.clients.add(JSON.parse(process.env.DRILL_CLIENT));',
      'await services.close();',
      'process.exit(0);',
    ].join('\n'),
  );
  execFileSync(process.execPath, ['--import', 'tsx', script], {
    cwd: tree,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, DRILL_CLIENT: JSON.stringify(client) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const OLD = 'a'; // the previous release
const NEW = 'b'; // this checkout
const via = (process: string) => ({ 'x-kapi-process': process });

async function main(): Promise<void> {
  console.log(`Previous release ${previousRef} (${previousCommit}) beside this checkout (${currentCommit})`);
  const { dir: tree, dependencies } = extractPrevious();
  console.log(`  previous release extracted to ${tree} (${dependencies})`);
  const db = await createDatabase();
  const redis = redisClient();
  const redisPrefix = `kapi-drill-${randomSuffix()}:`;
  const [oldPort, newPort, proxyPort] = [await freeLowPort(), await freeLowPort(), await freeLowPort()];
  const proxy = await startHaproxy({
    port: proxyPort,
    kapi: [
      { name: OLD, port: oldPort },
      { name: NEW, port: newPort },
    ],
  });
  const clientSecret = `drill-${randomSuffix()}-${randomSuffix()}-${randomSuffix()}`;
  const rp: RelyingParty = { issuer: proxy.url, clientId: 'previous-release-drill', clientSecret, callback: CALLBACK };
  const env: Record<string, string> = {
    KAPI_ISSUER: proxy.url,
    KAPI_TRUST_PROXY_HOPS: '1',
    KAPI_LOG_LEVEL: 'warn',
    KAPI_DEMO: 'true',
    KAPI_MOBILE_SIMULATOR: 'false',
    KAPI_DEMO_BANK: 'false',
    KAPI_COOKIE_KEYS: `drill-cookie-key-${randomSuffix()}-aaaaaaaaaaaa`,
    DATABASE_URL: db.url,
    REDIS_URL,
    KAPI_REDIS_PREFIX: redisPrefix,
  };
  const running: Running[] = [];
  const agent = keepAliveAgent(4);
  const citizen = CITIZENS[0]!;
  const scope = 'openid profile offline_access';

  const refresh = async (token: string, process: string) => {
    const res = await request(agent, `${rp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic(rp.clientId, rp.clientSecret), 'content-type': FORM, ...via(process) },
      body: form({ grant_type: 'refresh_token', refresh_token: token }),
    });
    const servedBy = res.headers['x-kapi-served-by'];
    if (servedBy !== process) throw new Error(`served by ${String(servedBy)}, not ${process}`);
    return { status: res.status, body: JSON.parse(res.body) as { refresh_token?: string; access_token?: string; error?: string } };
  };
  const userinfo = async (accessToken: string, process: string) =>
    (await request(agent, `${rp.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}`, ...via(process) } })).status;

  try {
    let old: Running | undefined;
    let oldTokens: Awaited<ReturnType<typeof login>>['tokens'] | undefined;
    await step('the previous release migrates a fresh database and registers an institution', async () => {
      registerThroughPrevious(tree, env, {
        clientId: rp.clientId,
        clientSecret,
        name: 'Sürüm Tatbikatı Kurumu',
        redirectUris: [CALLBACK],
        authMethod: 'client_secret_basic',
        scopes: ['openid', 'profile', 'national_id', 'offline_access'],
      });
      return undefined;
    });
    await step('the previous release serves a sign-in alone', async () => {
      old = await startKapi('the previous release', tree, env, oldPort);
      running.push(old);
      oldTokens = (await login(agent, rp, { ...citizen, scope, prompt: 'consent', headersFor: () => via(OLD) })).tokens;
      return undefined;
    });
    await step('this release starts on the same database and Redis, migrating the schema while the previous one serves', async () => {
      running.push(await startKapi('this release', ROOT, env, newPort));
      return undefined;
    });
    const alternate = (first: string, second: string) => (n: number) => via(n % 2 === 0 ? first : second);
    let crossTokens: Awaited<ReturnType<typeof login>>['tokens'] | undefined;
    await step('a sign-in alternates between the releases at every request, starting on the previous one', async () => {
      crossTokens = (await login(agent, rp, { ...citizen, scope, prompt: 'consent', headersFor: alternate(OLD, NEW) })).tokens;
      return undefined;
    });
    await step('a sign-in alternates between the releases at every request, starting on this one', async () => {
      await login(agent, rp, { ...CITIZENS[1]!, scope, prompt: 'consent', headersFor: alternate(NEW, OLD) });
      return undefined;
    });
    await step('userinfo answers on both releases for the same access token', async () => {
      const statuses = [await userinfo(crossTokens!.access_token, OLD), await userinfo(crossTokens!.access_token, NEW)];
      if (statuses.some((s) => s !== 200)) throw new Error(`userinfo answered ${statuses.join(' and ')}`);
      return undefined;
    });
    await step("a refresh chain crosses releases: the previous release's token redeemed by this one, and back", async () => {
      let token = oldTokens!.refresh_token!;
      const served: string[] = [];
      for (const process of [NEW, OLD, NEW, OLD]) {
        const r = await refresh(token, process);
        if (r.status !== 200 || !r.body.refresh_token) throw new Error(`refresh on ${process} answered ${r.status} ${JSON.stringify(r.body)}`);
        token = r.body.refresh_token;
        served.push(process === OLD ? 'previous' : 'this');
      }
      return served.join(' → ');
    });
    await step('single use holds across releases: a rotated refresh token is refused by the other release', async () => {
      const first = await refresh(crossTokens!.refresh_token!, NEW);
      if (first.status !== 200) throw new Error(`the first use answered ${first.status}`);
      const again = await refresh(crossTokens!.refresh_token!, OLD);
      if (again.status !== 400 || again.body.error !== 'invalid_grant')
        throw new Error(`the second use answered ${again.status} ${JSON.stringify(again.body)}`);
      return undefined;
    });
    // Releases before the tolerant migrator (adapters/storage/database.ts, migrationsFromNewerReleases)
    // refuse a schema with migrations they do not list: for them the drill checks that they refuse
    // clearly (knex's "corrupt migration directory") and says so, rather than failing on a known limit.
    const tolerant = readFileSync(path.join(tree, 'adapters', 'storage', 'database.ts'), 'utf8').includes('disableMigrationsListValidation');
    await step(
      tolerant
        ? 'the previous release restarts on the new schema and serves a sign-in'
        : 'the previous release, older than the tolerant migrator, refuses to restart on a newer schema (known limit of that release)',
      async () => {
        await old!.stop();
        running.splice(running.indexOf(old!), 1);
        if (!tolerant) {
          const refused = await startKapi('the previous release, restarted', tree, env, oldPort).then(
            (r) => {
              running.push(r);
              return undefined;
            },
            (err: Error) => err.message,
          );
          if (refused === undefined) return 'it started: the schema has no migration it does not list';
          if (!/migration directory is corrupt/.test(refused)) throw new Error(`it refused for another reason: ${refused}`);
          return 'refused: the migration directory is corrupt';
        }
        old = await startKapi('the previous release, restarted', tree, env, oldPort);
        running.push(old);
        await login(agent, rp, { ...CITIZENS[2]!, scope, prompt: 'consent', headersFor: () => via(OLD) });
        return undefined;
      },
    );
  } finally {
    agent.destroy();
    for (const r of running) await r.stop().catch(() => undefined);
    await proxy.stop().catch(() => undefined);
    await deleteRedisPrefix(redis, redisPrefix).catch(() => 0);
    redis.disconnect();
    await db.drop().catch(() => undefined);
    if (values.keep) console.log(`  kept ${tree}`);
    else rmSync(tree, { recursive: true, force: true });
  }

  const failed = steps.filter((s) => !s.ok);
  const report = [
    `# Previous-release drill`,
    '',
    `\`npm run drill:previous-release${values.previous ? ` -- --previous=${values.previous}` : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: the previous release ${previousRef} (${previousCommit}) beside ${currentCommit}, one Postgres database, one Redis prefix, one HAProxy (each request routed to a named process). Dependencies: ${dependencies}.`,
    '',
    '| step | result |',
    '| --- | --- |',
    ...steps.map((s) => `| ${s.what} | ${s.ok ? 'passed' : 'FAILED'}${s.detail ? `: ${s.detail.replace(/\|/g, '/')}` : ''} |`),
    '',
  ].join('\n');
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'previous-release.md'), report);
  console.log(failed.length ? `\n${failed.length} of ${steps.length} steps failed` : `\nall ${steps.length} steps passed`);
  process.exit(failed.length ? 1 : 0);
}

if (!existsSync(path.join(ROOT, '.git')))
  throw new Error('the previous-release drill needs a git checkout (it extracts the previous release with git archive)');
await main();
