import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, signIn } from '../support/institution.js';

// Issue 27: the storage calls of a password login that were spent on nothing stay gone. Counted inside
// this process (Kapı runs in it) on the clients' prototypes, as bench/lib/probe.mjs does, for the calls
// that this issue removed: a second read of the interaction when the sign-in finishes, a separate read
// before deleting it at the resume, and the second-stage enrolment asked once per second method (registered devices twice, the TOTP key once).
// Postgres + Redis only: the embedded backend keeps these records in process memory.

const ayse = DEMO_CITIZENS[0]; // has a verified phone: both the device and the SMS method ask about devices

interface Call {
  name: string;
  key: string;
}

function record(): { redis: Call[]; sql: string[]; stop(): void } {
  const redis: Call[] = [];
  const sql: string[] = [];
  const proto = Redis.prototype as unknown as { sendCommand(command: { name: string; args: unknown[] }): unknown };
  const query = pg.Client.prototype.query;
  const send = proto.sendCommand;
  proto.sendCommand = function (this: unknown, command) {
    const script = command.name === 'evalsha' || command.name === 'eval';
    redis.push({ name: command.name, key: String(command.args[script ? 2 : 0] ?? '') });
    return send.call(this, command);
  };
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text) sql.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return {
    redis,
    sql,
    stop() {
      proto.sendCommand = send;
      pg.Client.prototype.query = query;
    },
  };
}

const run = process.env.DATABASE_URL && process.env.REDIS_URL ? describe : describe.skip;

run('storage calls of a password login (Postgres + Redis)', () => {
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    t = await startKapi();
    rp = await relyingParty(t, await registerInstitution(t));
    // Consent is given once and remembered, as in the benchmark's measured logins.
    const first = await authRequest(rp);
    expect(atCallback((await signIn(new Browser(), first.url.href, ayse.nationalId, ayse.password)).url)).toBe(true);
  });
  afterAll(async () => t?.stop());

  it('reads the interaction once per request, deletes it in one command, and reads the second-stage enrolment in one statement', async () => {
    const req = await authRequest(rp);
    const calls = record();
    try {
      const page = await signIn(new Browser(), req.url.href, ayse.nationalId, ayse.password);
      expect(atCallback(page.url)).toBe(true);
      expect((await exchange(rp, req, page.url)).claims()?.acr).toBe('low');
    } finally {
      calls.stop();
    }
    const onInteraction = calls.redis.filter((c) => c.key.includes('oidc:{Interaction:'));
    // The sign-in page, the password post and the resume: one read each (no second read to finish).
    expect(onInteraction.filter((c) => c.name === 'hgetall')).toHaveLength(3);
    // The resume deletes it with one script that answers its indexes, no read before the delete.
    expect(onInteraction.filter((c) => c.name === 'hmget' || c.name === 'del')).toHaveLength(0);
    expect(calls.sql.filter((text) => /from (registered_devices|totp_credentials)/.test(text))).toHaveLength(1);
    // The right password ends the number's run of failures once: the engine's "owner signed in" at the
    // finish of the same request does not end it again (issue 27's floor).
    expect(calls.redis.filter((c) => c.name === 'del' && c.key.includes('nid-run'))).toHaveLength(1);
  });
});
