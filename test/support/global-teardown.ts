import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { RecordedSecret } from './secret-record.js';

// The log scan of a whole test run, run once after all test files (jest globalTeardown): fails the run
// (jest exits non-zero) when any line Kapı logged during the run, at any level, holds a secret the tests
// used (recorded by test/support/secret-record.ts and its callers) or looks like one.
//
// It looks for secrets in log lines: each recorded secret (as written, JSON-escaped and URL-encoded, the
// forms a log line can carry it in), and patterns that are secrets whatever their value (a JWT, the
// private part of a JWK, a PEM private key). Findings name the secret's kind and first two characters,
// never the secret.

// Jest loads this file (like global-setup.ts) outside its module system, where a relative import of
// another TypeScript file does not resolve: the names below repeat test/support/secret-record.ts's.
const RUN_DIR_VARIABLE = 'KAPI_TEST_RUN_DIR';
const SECRETS_FILE = 'secrets.jsonl';
const LOGS_DIR = 'logs';

export interface Finding {
  kind: string;
  from: string;
  /** The first two characters, enough to tell findings apart without showing the secret. */
  starts: string;
  file: string;
  line: number;
}

interface Needle {
  text: string;
  secret: RecordedSecret;
  /** Digits alone (an OTP, a PIN) only count as a whole number, not inside a longer one (a timestamp). */
  digitsOnly: boolean;
}

const PATTERNS: { kind: string; pattern: RegExp }[] = [
  { kind: 'JWT (pattern)', pattern: /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/ },
  { kind: 'private key of a JWK (pattern "d")', pattern: /\\?"d\\?"\s*:\s*\\?"[A-Za-z0-9_-]{16,}/ },
  { kind: 'PEM private key (pattern)', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

const PREFIX = 6; // the shortest secret recorded (test/support/secret-record.ts)

export function readSecrets(runDir: string): RecordedSecret[] {
  const file = path.join(runDir, SECRETS_FILE);
  if (!existsSync(file)) return [];
  const secrets = new Map<string, RecordedSecret>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const secret = JSON.parse(line) as RecordedSecret;
    if (!secrets.has(secret.value)) secrets.set(secret.value, secret);
  }
  return [...secrets.values()];
}

function needlesOf(secrets: RecordedSecret[]): Map<string, Needle[]> {
  const byPrefix = new Map<string, Needle[]>();
  for (const secret of secrets) {
    const forms = new Set([secret.value, JSON.stringify(secret.value).slice(1, -1), urlEncoded(secret.value)]);
    for (const text of forms) {
      if (text.length < PREFIX) continue;
      const key = text.slice(0, PREFIX);
      const list = byPrefix.get(key) ?? [];
      list.push({ text, secret, digitsOnly: /^\d+$/.test(text) });
      byPrefix.set(key, list);
    }
  }
  return byPrefix;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function findIn(line: string, byPrefix: Map<string, Needle[]>): Needle | undefined {
  for (let i = 0; i + PREFIX <= line.length; i++) {
    const candidates = byPrefix.get(line.slice(i, i + PREFIX));
    if (!candidates) continue;
    for (const needle of candidates) {
      if (!line.startsWith(needle.text, i)) continue;
      if (needle.digitsOnly && (isDigit(line[i - 1]) || isDigit(line[i + needle.text.length]))) continue;
      return needle;
    }
  }
  return undefined;
}

export function scanLogs(runDir: string, secrets: RecordedSecret[]): { findings: Finding[]; files: number; lines: number } {
  const dir = path.join(runDir, LOGS_DIR);
  const byPrefix = needlesOf(secrets);
  const findings: Finding[] = [];
  let files = 0;
  let lines = 0;
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
    files++;
    const file = path.join(dir, name);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (!text) return;
        lines++;
        const where = { file, line: index + 1 };
        const needle = findIn(text, byPrefix);
        if (needle) findings.push({ kind: needle.secret.kind, from: needle.secret.from, starts: needle.secret.value.slice(0, 2), ...where });
        for (const { kind, pattern } of PATTERNS) {
          const match = pattern.exec(text);
          if (match) findings.push({ kind, from: 'pattern', starts: match[0].slice(0, 2), ...where });
        }
      });
  }
  return { findings, files, lines };
}

export function describeFindings(findings: Finding[], runDir: string): string {
  const shown = findings.slice(0, 30).map((f) => `  ${f.kind} starting "${f.starts}…" (recorded from ${f.from}) in ${f.file}:${f.line}`);
  const more = findings.length > shown.length ? [`  … and ${findings.length - shown.length} more`] : [];
  return [
    `Log scan: ${findings.length} secret(s) found in Kapı's log lines of this test run. A secret in a log is a bug: fix the logging, not the scan.`,
    ...shown,
    ...more,
    `The run directory (log copies and recorded secrets) is kept for inspection: ${runDir}`,
  ].join('\n');
}

/** The run's migrated Postgres template (test/support/build-test-databases.ts) goes with the run. */
async function dropPostgresTemplate(): Promise<void> {
  const name = process.env.KAPI_TEST_POSTGRES_TEMPLATE;
  if (!name || !process.env.DATABASE_URL || !/^[a-z0-9_]+$/.test(name)) return;
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export default async function globalTeardown(): Promise<void> {
  await dropPostgresTemplate();
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (!runDir) return;
  const secrets = readSecrets(runDir);
  const { findings, files, lines } = scanLogs(runDir, secrets);
  if (findings.length > 0) throw new Error(describeFindings(findings, runDir));
  // A Kapı with the demo seed always logs (the seed says what it registered): no line at all means the
  // copy is broken (src/log.ts, KAPI_LOG_COPY_FILE) and the scan above proved nothing.
  if (lines === 0 && readFileSync(path.join(runDir, SECRETS_FILE), 'utf8').includes('demo citizens')) {
    throw new Error(`Log scan: a demo Kapı ran but no log line reached the run directory ${runDir}: the log copy (KAPI_LOG_COPY_FILE, src/log.ts) is broken.`);
  }
  // KAPI_TEST_RUN_KEEP=1 keeps the directory of a clean run too, to see what was logged and recorded.
  const keep = Boolean(process.env.KAPI_TEST_RUN_KEEP);
  console.log(`Log scan: ${lines} log lines in ${files} file(s), ${secrets.length} recorded secrets, none found.${keep ? ` Kept: ${runDir}` : ''}`);
  if (!keep) rmSync(runDir, { recursive: true, force: true });
}

/** A secret as it would appear URL-encoded; a value with a lone surrogate cannot be (it is searched for as it is). */
function urlEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}
