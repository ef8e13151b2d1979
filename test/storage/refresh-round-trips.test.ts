import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

// Issue 27: the SQL statements of one rotating refresh grant. The refresh token, its grant and its account
// come back from one statement; then the single use (a conditional update) and the rotated token's insert.
// The account is not read again by findAccount. Counted inside this process (Kapı runs in it): on
// node-postgres at pg.Client's query, on the embedded database at its PGlite's query, which both knex and
// the fixed statements (fixed-sql.ts) call. On both backends: they run the same statements.

const ayse = DEMO_CITIZENS[0];

interface Recorder {
  sql: string[];
  stop(): void;
}

function recordPostgres(): Recorder {
  const sql: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text) sql.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return { sql, stop: () => void (pg.Client.prototype.query = query) };
}

function recordPgLite(t: TestKapi): Recorder {
  const sql: string[] = [];
  type Instance = {
    query: (text: string, ...rest: unknown[]) => Promise<unknown>;
    execProtocolStream: (message: Uint8Array, ...rest: unknown[]) => Promise<unknown>;
  };
  const pglite = (t.kapi.services.db.client as unknown as { pglite: Instance }).pglite;
  const query = pglite.query;
  pglite.query = function (this: unknown, text: string, ...rest: unknown[]) {
    sql.push(text);
    return query.call(this, text, ...rest);
  };
  // The token path's fixed statements run as named prepared statements (adapters/storage/pglite-statement.ts):
  // a Parse names a statement's text once, each run is a Bind of that name. A run counts as its text.
  const named = new Map<string, string>();
  const cString = (bytes: Uint8Array, at: number): [string, number] => {
    const end = bytes.indexOf(0, at);
    return [Buffer.from(bytes.subarray(at, end)).toString('utf8'), end + 1];
  };
  const stream = pglite.execProtocolStream;
  pglite.execProtocolStream = function (this: unknown, message: Uint8Array, ...rest: unknown[]) {
    const code = String.fromCharCode(message[0]!);
    if (code === 'P') {
      const [name, next] = cString(message, 5);
      named.set(name, cString(message, next)[0]);
    } else if (code === 'B') {
      const [, next] = cString(message, 5); // the portal (unnamed)
      const text = named.get(cString(message, next)[0]);
      if (text) sql.push(text);
    }
    return stream.call(this, message, ...rest);
  };
  return {
    sql,
    stop: () => {
      pglite.query = query;
      pglite.execProtocolStream = stream;
    },
  };
}

// Work of the process that is no part of a grant (the logout outbox's poll) may fall into the window.
const grantStatements = (sql: string[]) => sql.filter((text) => !/logout_outbox/.test(text));

describe('SQL statements of a refresh grant', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  let refreshToken: string;
  // On the embedded database the recorder is on from the start: it learns the prepared statements' texts
  // from their Parse, which happens once, before the grant counted.
  let pgliteCalls: Recorder | undefined;

  beforeAll(async () => {
    t = await startKapi();
    if (t.backend === 'embedded') pgliteCalls = recordPgLite(t);
    rp = await relyingParty(t, await registerInstitution(t));
    const req = await authRequest(rp, { scope: 'openid profile offline_access', prompt: 'consent' });
    const tokens = await exchange(rp, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url);
    refreshToken = tokens.refresh_token!;
    // A first refresh outside the count: whatever a process does once (caches, first plans) is not counted.
    refreshToken = (await client.refreshTokenGrant(rp, refreshToken)).refresh_token!;
  });
  afterAll(async () => {
    pgliteCalls?.stop();
    await t?.stop();
  });

  it('reads the token, its grant and its account in one statement: three statements in all', async () => {
    if (pgliteCalls) pgliteCalls.sql.length = 0;
    const calls = pgliteCalls ?? recordPostgres();
    let refreshed: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      refreshed = await client.refreshTokenGrant(rp, refreshToken);
    } finally {
      if (!pgliteCalls) calls.stop();
    }
    const sql = grantStatements([...calls.sql]);
    // The account was found (the ID token names its subject) without a statement of its own.
    expect(refreshed.claims()?.sub).toBeDefined();
    expect(sql.filter((text) => /\bfrom accounts\b/.test(text) && !/\boidc_models\b/.test(text))).toEqual([]);
    expect(sql.filter((text) => /from oidc_models t left join oidc_models g[\s\S]*from accounts/.test(text))).toHaveLength(1);
    expect(sql).toHaveLength(3);
    // Rotation and single use as before: the presented token is used, a replay revokes the grant.
    await expect(client.refreshTokenGrant(rp, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives nothing for an account that is gone, though the token and its grant are still there', async () => {
    const req = await authRequest(rp, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(rp, req, (await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password)).url);
    const account = await t.kapi.services.accounts.findByNationalId(ayse.nationalId);
    await t.kapi.services.db('accounts').where({ id: account!.id }).delete();
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
