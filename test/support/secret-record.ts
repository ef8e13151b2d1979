import { appendFileSync } from 'node:fs';
import path from 'node:path';

// The secrets a test run uses (passwords typed, codes read, PINs, client secrets, tokens, keys), one JSON
// object a line in the run directory that test/support/global-setup.ts creates. The global teardown
// (test/support/global-teardown.ts) then looks for each of them in every line Kapı logged during the run.

/** Names the run directory; set by the global setup, inherited by the tests and by child processes. */
export const RUN_DIR_VARIABLE = 'KAPI_TEST_RUN_DIR';
export const SECRETS_FILE = 'secrets.jsonl';
export const LOGS_DIR = 'logs';

export interface RecordedSecret {
  kind: string;
  value: string;
  /** Where the test support saw it (a form field, a JSON key, a helper): for the failure message. */
  from: string;
}

const seen = new Set<string>();

/**
 * Only values that could not turn up in a log line by chance: at least 6 characters, not one character
 * repeated, and not a plain word (a test typing "password" as a wrong password is no secret to look for:
 * Kapı's own messages say "password").
 */
export function worthLookingFor(value: string): boolean {
  const v = value.trim();
  if (v.length < 6 || /^(.)\1*$/s.test(v)) return false;
  if (/^[A-Za-z]+$/.test(v) && v.length < 12) return false;
  return true;
}

export function recordSecret(kind: string, value: unknown, from = kind): void {
  if (typeof value !== 'string' || !worthLookingFor(value)) return;
  const dir = process.env[RUN_DIR_VARIABLE];
  if (!dir) return;
  const key = `${kind}\0${value}`;
  if (seen.has(key)) return;
  seen.add(key);
  const entry: RecordedSecret = { kind, value, from };
  appendFileSync(path.join(dir, SECRETS_FILE), `${JSON.stringify(entry)}\n`);
}

/** Form fields (hosted pages, token and revocation requests) whose values are secrets: their kind. */
function fieldKind(name: string): string | undefined {
  if (/password/i.test(name)) return 'password';
  if (['access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier'].includes(name)) return name.replace(/_/g, ' ');
  if (/(^|_)(code|otp)$/i.test(name)) return 'code'; // authorization codes, and one-time codes typed (sms_code, ...)
  if (/(^|_)pin$/i.test(name)) return 'PIN';
  if (/(^|_)(secret|token)$/i.test(name)) return 'token';
  return undefined;
}

export function recordFormSecrets(fields: Iterable<[string, string]>, from: string): void {
  for (const [name, value] of fields) {
    const kind = fieldKind(name);
    if (kind) recordSecret(kind, value, `${from} field ${name}`);
  }
}

/** JSON keys whose string values are secrets (token responses, registrar and device API answers). */
function jsonKind(key: string): string | undefined {
  if (['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token', 'logout_token'].includes(key)) return key.replace(/_/g, ' ');
  if (/(^|_)(secret|password|pin|otp)$/i.test(key)) return key.replace(/_/g, ' ');
  if (/(^|_)token$/i.test(key)) return 'token';
  return undefined;
}

/** Walks a parsed JSON value: secret-named keys, and the private parts of JWKs (`d`, and RSA's primes). */
export function recordJsonSecrets(value: unknown, from: string, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) recordJsonSecrets(item, from, depth + 1);
    return;
  }
  const object = value as Record<string, unknown>;
  const isJwk = typeof object.kty === 'string';
  for (const [key, item] of Object.entries(object)) {
    if (isJwk && ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(key)) recordSecret('private key (JWK)', item, `${from} JWK ${key}`);
    else if (typeof item === 'string') {
      const kind = jsonKind(key);
      if (kind) recordSecret(kind, item, `${from} JSON ${key}`);
    } else recordJsonSecrets(item, from, depth + 1);
  }
}

/** Codes, tokens and secrets carried in a URL (a redirect to the institution's callback, fragment included). */
export function recordUrlSecrets(url: string, from: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  recordFormSecrets(parsed.searchParams, from);
  if (parsed.hash.length > 1) recordFormSecrets(new URLSearchParams(parsed.hash.slice(1)), from);
}
