import { createServer, request, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { etagMatches, MachineDocuments, VARIANTS } from '../../src/web/machine-documents.js';

// The cache of discovery and JWKS (src/web/machine-documents.ts) in front of stand-ins for oidc-provider's
// handler: each stand-in is one provider instance (a rebuild after a key rotation or with another
// configuration is a new handler), and answers like Koa does, with the whole body in one `end`.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function provider(name: string): Handler & { calls: number } {
  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    handler.calls++;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
    res.end(JSON.stringify({ provider: name, host: req.headers.host, path: req.url }));
  }) as Handler & { calls: number };
  handler.calls = 0;
  return handler;
}

describe('discovery and JWKS served from the first answer of each provider', () => {
  let server: Server;
  let port: number;
  let current: Handler;
  const documents = new MachineDocuments();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const handler = current;
      if (!documents.serve(handler, req.url ?? '/', req, res)) handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers the second request from the first answer, with an ETag, and 304 when it matches', async () => {
    const a = provider('a');
    current = a;
    const first = await get('/jwks');
    const second = await get('/jwks', { Origin: 'https://rp.example' });
    expect(a.calls).toBe(1);
    expect(second.body).toBe(first.body);
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.headers['access-control-allow-origin']).toBe('https://rp.example');
    expect(second.headers.vary).toBe('Origin');
    const etag = second.headers.etag!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const revalidated = await get('/jwks', { 'If-None-Match': `"other", W/${etag}` });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    expect((await get('/jwks', { 'If-None-Match': '"other"' })).status).toBe(200);
    expect(a.calls).toBe(1);
  });

  it('a rebuilt provider (key rotation, new configuration) is answered with its own document, not the cached one', async () => {
    current = provider('a');
    const before = await get('/jwks');
    const b = provider('b');
    current = b;
    const after = await get('/jwks', { 'If-None-Match': before.headers.etag ?? '' });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body).provider).toBe('b');
    const again = await get('/jwks');
    expect(JSON.parse(again.body).provider).toBe('b');
    expect(again.headers.etag).not.toBe(before.headers.etag);
    expect(b.calls).toBe(1);
  });

  it('keeps the discovery document per Host (its URLs are built from it), and at most a few of them', async () => {
    const c = provider('c');
    current = c;
    const path = '/.well-known/openid-configuration';
    expect(JSON.parse((await get(path, { Host: 'localhost:1' })).body).host).toBe('localhost:1');
    expect(JSON.parse((await get(path, { Host: '127.0.0.1:1' })).body).host).toBe('127.0.0.1:1');
    expect(JSON.parse((await get(path, { Host: 'localhost:1' })).body).host).toBe('localhost:1');
    expect(c.calls).toBe(2);
    for (let i = 0; i < VARIANTS * 4; i++) expect(JSON.parse((await get(path, { Host: `h${i}.example` })).body).host).toBe(`h${i}.example`);
    const calls = c.calls;
    await get(path, { Host: 'h30.example' });
    expect(c.calls).toBe(calls + 1); // past the bound: answered by the provider each time, not kept
  });

  it('leaves other methods and paths to the provider', async () => {
    const d = provider('d');
    current = d;
    await get('/jwks', {}, 'HEAD');
    await get('/jwks', {}, 'HEAD');
    await get('/token');
    await get('/token');
    expect(d.calls).toBe(4);
  });

  it('If-None-Match: lists, weak tags and *', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
