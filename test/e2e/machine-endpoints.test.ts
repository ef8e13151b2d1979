import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { registerInstitution } from '../support/institution.js';

// The machine endpoints are handed to oidc-provider by the HTTP server itself, before Kapı's Koa app
// (src/web/machine-front.ts, issue 8). What the app gave them must still hold: the security headers,
// the request metric, JSON errors; and everything else must still reach the app.

describe('machine endpoints in front of the app', () => {
  let t: TestKapi;
  let basic: string;
  beforeAll(async () => {
    t = await startKapi();
    const metadata = await registerInstitution(t, { clientCredentials: true });
    basic = `Basic ${Buffer.from(`${encodeURIComponent(String(metadata.client_id))}:${encodeURIComponent(String(metadata.client_secret))}`).toString('base64')}`;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const metricCount = async (route: string, status: string) => {
    const text = await (await fetch(`${t.issuer}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('kapi_http_request_duration_seconds_count{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  const expectSecurityHeaders = (where: string, res: Response) => {
    expect({
      where,
      nosniff: res.headers.get('x-content-type-options'),
      referrer: res.headers.get('referrer-policy'),
      frames: res.headers.get('x-frame-options'),
      coop: res.headers.get('cross-origin-opener-policy'),
    }).toEqual({ where, nosniff: 'nosniff', referrer: 'no-referrer', frames: 'DENY', coop: 'same-origin' });
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
  };

  it('token, JWKS, discovery, userinfo, introspection, revocation, PAR: security headers and JSON, errors included', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    // Unauthenticated calls: oidc-provider's own 4xx (400 or 401 by endpoint), as JSON.
    const cases: Array<[string, RequestInit, number | '4xx']> = [
      ['/token', { method: 'POST', headers: { ...form, Authorization: basic }, body: 'grant_type=client_credentials&scope=openid' }, 200],
      ['/token?unexpected=1', { method: 'POST', headers: { ...form, Authorization: basic }, body: 'grant_type=nonsense' }, 400],
      ['/jwks', {}, 200],
      ['/.well-known/openid-configuration', {}, 200],
      ['/me', {}, 401],
      ['/token/introspection', { method: 'POST', headers: form, body: 'token=x' }, '4xx'],
      ['/token/revocation', { method: 'POST', headers: form, body: 'token=x' }, '4xx'],
      ['/request', { method: 'POST', headers: form, body: 'client_id=nobody' }, '4xx'],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetch(`${t.issuer}${path}`, init);
      const seen = status === '4xx' && res.status >= 400 && res.status < 500 ? '4xx' : res.status;
      expect({ path, status: seen }).toEqual({ path, status });
      expectSecurityHeaders(path, res);
      expect(res.headers.get('content-type') ?? '').toMatch(/json/);
      await res.arrayBuffer();
    }
  });

  it('each answer is counted in the request-duration metric with its route and status', async () => {
    const before = await metricCount('/token', '200');
    const beforeJwks = await metricCount('/jwks', '200');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic },
        body: 'grant_type=client_credentials&scope=openid',
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await (await fetch(`${t.issuer}/jwks`)).arrayBuffer();
    expect(await metricCount('/token', '200')).toBe(before + 3);
    expect(await metricCount('/jwks', '200')).toBe(beforeJwks + 1);
  });

  it('every other path still reaches the app: pages, health, and look-alikes of the machine paths', async () => {
    const health = await fetch(`${t.issuer}/healthz`);
    expect(health.status).toBe(200);
    expectSecurityHeaders('/healthz', health);
    for (const path of ['/TOKEN', '/token/', '/jwks.json', '/nowhere']) {
      const res = await fetch(`${t.issuer}${path}`);
      // Through the app to oidc-provider's 404 (the app's last middleware), as before the front existed.
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expectSecurityHeaders(path, res);
      await res.arrayBuffer();
    }
  });
});
