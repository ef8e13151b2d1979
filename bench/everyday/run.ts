// `npm run bench:everyday` (issue 24 point 4, "the everyday wait"), outside CI: how long a person waits
// for the commands (cli.ts), for `npm start` to answer (startup.ts) and for one sign-in of each method
// at rest (sign-in-latency.ts). Writes bench/results/everyday.json and the "Everyday wait" section of
// docs/performance.md (report.ts; the full `npm run bench` keeps that section). Options:
//   --only=cli,startup,sign-in-latency   the parts to run (default: all three)
//   --runs=N                the sign-ins per method (default 30)
//   --cli-runs=N            hyperfine's runs of each command (default 10, after 2 to warm up)
//   --warmup=N              sign-ins per method before the measured ones (default 3)
//   --startup-runs=N        cold + warm starts per backend and code (default 3)
//   --sign-in-backends=embedded,postgres+redis   the backends of the sign-in latency (default both)
//   --before=DIR            also time the commands of another checkout (an earlier commit) in the session
//   --no-write              leave docs/performance.md alone
//   --render-only           measure nothing: write the section again from bench/results/everyday.json
// The sign-ins run on the backend the environment names (DATABASE_URL + REDIS_URL), as the tests do;
// the start-up times cover both (Postgres and Redis at those URLs, or 127.0.0.1's).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { replaceSection } from '../lib/doc-sections.js';
import { hyperfineMissing, measureCli, type CliTimes } from './cli.js';
import { EVERYDAY_MARKERS, everydaySection, type EverydayResults } from './report.js';
import { measureSignInLatency, type SignInLatency } from './sign-in-latency.js';
import { measureStartup, type Backend, type StartupRow } from './startup.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = (arg('only') ?? 'cli,startup,sign-in-latency').split(',');
const log = (line: string) => process.stderr.write(`${line}\n`);

async function writeSection(results: EverydayResults): Promise<void> {
  const section = everydaySection(results);
  log(`\n${section}`);
  if (!process.argv.includes('--no-write')) {
    const page = path.join(ROOT, 'docs', 'performance.md');
    await writeFile(page, replaceSection(await readFile(page, 'utf8'), EVERYDAY_MARKERS, section));
    log('Wrote the Everyday wait section of docs/performance.md');
  }
}

async function main(): Promise<void> {
  const file = path.join(ROOT, 'bench', 'results', 'everyday.json');
  if (process.argv.includes('--render-only')) return writeSection(JSON.parse(await readFile(file, 'utf8')) as EverydayResults);
  const started = new Date();
  const load = os.loadavg();
  log(`everyday wait: ${only.join(', ')}; load average ${load.map((l) => l.toFixed(2)).join(' ')}`);
  let cli: CliTimes | undefined;
  let startup: StartupRow[] | undefined;
  let signIn: SignInLatency[] | undefined;
  if (only.includes('cli')) {
    const missing = hyperfineMissing();
    if (missing) log(`cli: skipped, ${missing}`);
    else cli = await measureCli({ runs: Number(arg('cli-runs') ?? 10), before: arg('before'), log });
  }
  if (only.includes('startup')) {
    const backends: Backend[] = ['embedded', 'postgres+redis'];
    startup = await measureStartup({ runs: Number(arg('startup-runs') ?? 3), backends, log });
  }
  if (only.includes('sign-in-latency')) {
    signIn = [];
    // The backends, one after the other: the embedded default, then Postgres + Redis (the environment's, or 127.0.0.1's).
    const pgUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    for (const backend of (arg('sign-in-backends') ?? 'embedded,postgres+redis').split(',')) {
      if (backend === 'embedded') {
        delete process.env.DATABASE_URL;
        delete process.env.REDIS_URL;
      } else Object.assign(process.env, { DATABASE_URL: pgUrl, REDIS_URL: redisUrl });
      log(`sign-in latency, ${backend}:`);
      signIn.push(await measureSignInLatency({ runs: Number(arg('runs') ?? 30), warmup: Number(arg('warmup') ?? 3), log }));
    }
  }

  const results: EverydayResults = {
    started: started.toISOString(),
    command: `npm run bench:everyday -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    loadBefore: load,
    loadAfter: os.loadavg(),
    cli,
    startup,
    signIn,
  };
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  // Parts not run this time keep their figures from the previous run.
  const previous = (await readFile(file, 'utf8').then(JSON.parse, () => ({}))) as Partial<EverydayResults>;
  const merged: EverydayResults = { ...results, cli: cli ?? previous.cli, startup: startup ?? previous.startup, signIn: signIn ?? previous.signIn };
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
  await writeSection(merged);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`everyday wait failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
