import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { HttpsRegistry } from '../../adapters/population-registry/https-client.js';
import { FixtureRegistry } from '../../adapters/population-registry/simulator.js';
import { KapiError } from '../../src/errors.js';
import { createRegistryTls, type TlsFiles } from '../support/registry-tls.js';

// An outside tester's attempts on the population-registry client (adapters/population-registry/
// https-client.ts) beyond registry-client.test.ts: a registry (or a man in the middle with a certificate
// of the same CA) that answers about another person, answers slowly byte by byte, redirects, or presents
// a certificate of the right CA issued for another host. Each `it` names the property that held.

const AYSE = '10000000146';
const MEHMET = '12345678950';
const fixtures = new FixtureRegistry();

type Handler = (nationalId: string, req: IncomingMessage, res: ServerResponse) => void;

let tls: TlsFiles;
const servers: Server[] = [];
const clients: HttpsRegistry[] = [];

async function registry(handler: Handler, cert?: { cert: Buffer; key: Buffer }): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer(
    { cert: cert?.cert ?? tls.pem.serverCert, key: cert?.key ?? tls.pem.serverKey, ca: tls.pem.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const nationalId = (JSON.parse(body) as { nationalId: string }).nationalId;
        asked.push(nationalId);
        handler(nationalId, req, res);
      });
    },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

function client(url: string, timeoutMs = 1000): HttpsRegistry {
  const c = new HttpsRegistry({
    baseUrl: url,
    tls: { cert: tls.pem.clientCert, key: tls.pem.clientKey, ca: tls.pem.ca },
    timeoutMs,
    breaker: { failuresToTrip: 100 },
  });
  clients.push(c);
  return c;
}

async function record(nationalId: string): Promise<string> {
  return JSON.stringify({ person: await fixtures.lookup(nationalId) });
}

async function failure(promise: Promise<unknown>): Promise<KapiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KapiError);
  return err as KapiError;
}

beforeAll(async () => {
  tls = await createRegistryTls();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});
afterAll(async () => {
  await tls?.remove();
});

describe('attacks from outside: the population-registry client', () => {
  it("mixed-up answers poison no one's cache: asked about Ayşe and answered about Mehmet (and the other way round), both lookups fail, and each later lookup asks again and gets the right person", async () => {
    let swapped = true;
    const reg = await registry(async (id, _req, res) => {
      const answer = swapped ? (id === AYSE ? MEHMET : AYSE) : id;
      res.writeHead(200, { 'content-type': 'application/json' }).end(await record(answer));
    });
    const c = client(reg.url);
    expect((await failure(c.lookup(AYSE))).message).toMatch(/another identity number/);
    expect((await failure(c.lookup(MEHMET))).message).toMatch(/another identity number/);
    swapped = false;
    expect((await c.lookup(AYSE))?.nationalId).toBe(AYSE);
    expect((await c.lookup(MEHMET))?.nationalId).toBe(MEHMET);
    expect(reg.asked).toEqual([AYSE, MEHMET, AYSE, MEHMET]);
    // Now cached: each for its own number, and no other.
    expect((await c.lookup(MEHMET))?.nationalId).toBe(MEHMET);
    expect(reg.asked).toHaveLength(4);
  });

  it('an answer dripped one byte at a time is cut at the timeout for the whole answer, not per byte', async () => {
    const reg = await registry(async (id, _req, res) => {
      const body = await record(id);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      let i = 0;
      const drip = setInterval(() => {
        if (res.destroyed || i >= body.length) return clearInterval(drip);
        res.write(body[i++]!);
      }, 50);
    });
    const started = Date.now();
    expect((await failure(client(reg.url, 800).lookup(AYSE))).message).toMatch(/no answer within 800 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a redirect is not followed: a registry answering 307 to another address is a failure, and that address is never asked', async () => {
    const elsewhere = await registry(async (id, _req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(await record(id)));
    const reg = await registry((_id, _req, res) => res.writeHead(307, { location: `${elsewhere.url}/v1/people/lookup` }).end());
    expect((await failure(client(reg.url).lookup(AYSE))).message).toMatch(/HTTP 307/);
    expect(elsewhere.asked).toEqual([]);
  });

  it("a certificate from the registry's own CA issued for another host name is refused (the CA's other servers cannot stand in for the registry)", async () => {
    const run = promisify(execFile);
    const name = path.join(tls.dir, 'other-service');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/O=Kapi Test/CN=other-service',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-CA',
      path.join(tls.dir, 'registry-ca.pem'),
      '-CAkey',
      path.join(tls.dir, 'registry-ca.key'),
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'subjectAltName=DNS:other-service.internal',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    const impostor = await registry(async (id, _req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(await record(id)), {
      cert: await readFile(`${name}.pem`),
      key: await readFile(`${name}.key`),
    });
    expect((await failure(client(impostor.url).lookup(AYSE))).message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    expect(impostor.asked).toEqual([]);
  });
});
