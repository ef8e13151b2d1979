import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { announceKeyChange } from '../../src/app.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// Discovery and JWKS are answered from the bytes of oidc-provider's first answer per provider
// (src/web/machine-documents.ts, issue 24 point 2). On the real server, both backends: an ETag and 304,
// the document of the request's own host, and after a key rotation (heard on the state store's pub/sub)
// the new key set at once, under a new ETag.

describe('cached discovery and JWKS', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => t?.stop());

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
      const url = new URL(path, t.issuer);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const DISCOVERY = '/.well-known/openid-configuration';

  it('answers with an ETag, the same bytes each time, and 304 to a matching If-None-Match', async () => {
    const first = await get(DISCOVERY);
    const second = await get(DISCOVERY);
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(JSON.parse(second.body).issuer).toBe(t.issuer);
    const etag = second.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const revalidated = await get(DISCOVERY, { 'If-None-Match': etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBe('');
    // What the machine front and oidc-provider gave before: security headers, CORS, the JSON type.
    expect(second.headers['x-content-type-options']).toBe('nosniff');
    expect(second.headers['x-frame-options']).toBe('DENY');
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.headers['access-control-allow-origin']).toBe('*');
    expect((await get('/jwks', { Origin: 'https://rp.example' })).headers['access-control-allow-origin']).toBe('https://rp.example');
    expect((await get('/jwks')).headers['content-type']).toBe('application/jwk-set+json; charset=utf-8');
  });

  it('gives each Host its own discovery document (oidc-provider builds the URLs from the request)', async () => {
    const port = new URL(t.issuer).port;
    await get(DISCOVERY);
    await get(DISCOVERY);
    const other = JSON.parse((await get(DISCOVERY, { Host: `localhost:${port}` })).body) as { token_endpoint: string };
    expect(other.token_endpoint).toBe(`http://localhost:${port}/token`);
    const own = JSON.parse((await get(DISCOVERY)).body) as { token_endpoint: string };
    expect(own.token_endpoint).toBe(`${t.issuer}/token`);
  });

  it('serves the new key set right after a rotation, under a new ETag', async () => {
    await get('/jwks');
    const before = await get('/jwks');
    await t.kapi.services.keys.rotate(new Date(), { force: true });
    await announceKeyChange(t.kapi.services);
    const published = (await t.kapi.services.keys.list()).filter((k) => k.state !== 'retired').map((k) => k.kid);
    let after = before;
    for (let i = 0; i < 50; i++) {
      after = await get('/jwks', { 'If-None-Match': before.headers.etag! });
      if (after.status === 200 && after.body !== before.body) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.status).toBe(200);
    const kids = (JSON.parse(after.body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining(published));
    const again = await get('/jwks');
    expect(again.body).toBe(after.body);
    expect(again.headers.etag).not.toBe(before.headers.etag);
  });
});
