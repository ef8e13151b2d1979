import pg from 'pg';

// Startup asks "can Kapı reach its Postgres yet?" before it runs migrations (src/startup.ts). The answer
// is shown on /readyz and in warnings, so everything said about the database passes through here to
// lose its secrets: the password of DATABASE_URL, and query parameters such as `password=` or
// `sslpassword=` that pg also accepts, never reach a page or a log line.

const SECRET_PARAM = /pass|secret|key/i;

/** DATABASE_URL as it may be shown: scheme, user, host, port and database; no password, no query. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.href;
  } catch {
    return 'DATABASE_URL (not a parseable URL)';
  }
}

/** The secrets inside DATABASE_URL, in every spelling an error message could repeat them. */
function secretsOf(url: string): string[] {
  const secrets = new Set<string>([url]);
  try {
    const u = new URL(url);
    if (u.password) {
      secrets.add(u.password);
      secrets.add(decodeURIComponent(u.password));
    }
    for (const [name, value] of u.searchParams) if (SECRET_PARAM.test(name) && value) secrets.add(value);
  } catch {
    // Unparseable: only the whole string is known to be secret.
  }
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** The error's message (and code) with every secret of DATABASE_URL blanked out. */
export function databaseErrorReason(err: unknown, url: string): string {
  const e = err as { message?: unknown; code?: unknown; errors?: unknown } | undefined;
  // Node reports a refused connection to a name with several addresses (localhost) as an
  // AggregateError with an empty message: its first error says what happened.
  const inner = Array.isArray(e?.errors) ? (e.errors[0] as { message?: unknown } | undefined) : undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : typeof inner?.message === 'string' && inner.message ? inner.message : String(err);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  let reason = `${message}${code}`;
  for (const secret of secretsOf(url)) reason = reason.split(secret).join('***');
  return reason;
}

/**
 * One connection and `select 1`, then closed. Its own short connect timeout: knex's pool would wait a
 * minute for a host that drops packets, and the point here is to answer quickly and try again.
 */
export async function probeDatabase(url: string, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A socket error after a failed connect must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
