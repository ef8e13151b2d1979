import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// oidc-provider saves the sign-in session after its route has answered (ensureSessionSave), outside
// the route's error handler. A storage outage there (Redis failing over: ioredis's
// MaxRetriesPerRequestError, seen in the Sentinel failover drill under load) reached Koa's default
// handler and the person got a bare 500 "Internal Server Error". It is an outage like any other:
// Kapı's 503 page, and no code handed to the institution for a session that was not saved.

const ayse = DEMO_CITIZENS[0]!;

describe('a storage outage while oidc-provider saves the session', () => {
  let t: TestKapi;
  let rp: client.Configuration;

  beforeAll(async () => {
    t = await startKapi();
    rp = await relyingParty(t, await registerInstitution(t, { scopes: ['openid'] }));
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 503 (temporarily unavailable), not 500, and sends no code', async () => {
    const browser = new Browser();
    const req = await authRequest(rp, { scope: 'openid' });
    const form = await browser.go(req.url.href, {}, atCallback);
    expect(form.html).toContain('name="national_id"');

    const sessions = t.kapi.provider().Session.adapter as unknown as { upsert: (...args: unknown[]) => Promise<void> };
    const upsert = sessions.upsert;
    sessions.upsert = async () => {
      throw Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' });
    };
    try {
      // The login form's answer sends the browser on to oidc-provider's resume, which saves the session.
      const atResume = (location: string) => atCallback(location) || /^\/auth\/[^/]+$/.test(new URL(location).pathname);
      const posted = await browser.submit(form, { national_id: ayse.nationalId, password: ayse.password }, { name: 'submit', value: 'login' }, atResume);
      expect(atCallback(posted.url)).toBe(false);
      const res = await browser.request(posted.url, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('location')).toBeNull();
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      sessions.upsert = upsert;
    }
  });
});
