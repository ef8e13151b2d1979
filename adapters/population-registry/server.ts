import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { LOOKUP_PATH } from './https-client.js';
import type { RegistryPerson } from './port.js';
import { FixtureRegistry } from './simulator.js';

// The registry simulator over the network: the contract of docs/population-registry.openapi.json, served
// from the fixtures, over HTTP or over HTTPS with mutual TLS (a client without a certificate from the
// configured CA is refused during the handshake, as the real registry does). Tests run Kapı's real client
// (https-client.ts) against it, and can make it misbehave the ways a registry does.

export type RegistryBehaviour =
  /** Answers from the fixtures. */
  | 'normal'
  /** Accepts the request and never answers (a hanging registry). */
  | 'hang'
  /** 503 to everything. */
  | 'unavailable'
  /** Answers with another person's record (a mixed-up answer). */
  | 'another-person';

export interface RegistrySimulatorOptions {
  people?: readonly RegistryPerson[];
  /** PEM. With it the simulator speaks HTTPS and requires a client certificate issued by `ca`. */
  tls?: { cert: string | Buffer; key: string | Buffer; ca: string | Buffer };
  host?: string;
  port?: number;
}

export interface RegistrySimulator {
  /** Base URL to configure as KAPI_REGISTRY_URL. */
  readonly url: string;
  /** Lookups that reached the simulator (after the TLS handshake). */
  readonly requests: number;
  /** Common names of the client certificates presented, in order. */
  readonly clients: readonly string[];
  setBehaviour(behaviour: RegistryBehaviour): void;
  close(): Promise<void>;
}

const NUMBER = /^[1-9][0-9]{10}$/;

export async function startRegistrySimulator(options: RegistrySimulatorOptions = {}): Promise<RegistrySimulator> {
  const registry = new FixtureRegistry(options.people);
  let behaviour: RegistryBehaviour = 'normal';
  let requests = 0;
  const clients: string[] = [];
  const hanging = new Set<http.ServerResponse>();

  const reply = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handler: http.RequestListener = (req, res) => {
    if (req.method !== 'POST' || req.url !== LOOKUP_PATH) return reply(res, 404, { error: 'not_found' });
    const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
    if (peer?.subject) clients.push(String(peer.subject.CN));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4096) chunks.push(chunk);
    });
    req.on('end', () => {
      requests++;
      if (behaviour === 'hang') {
        hanging.add(res);
        return;
      }
      if (behaviour === 'unavailable') return reply(res, 503, { error: 'unavailable' });
      let nationalId: unknown;
      try {
        nationalId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { nationalId?: unknown }).nationalId;
      } catch {
        return reply(res, 400, { error: 'invalid_request' });
      }
      if (typeof nationalId !== 'string' || !NUMBER.test(nationalId)) return reply(res, 400, { error: 'invalid_request' });
      void registry.lookup(nationalId).then(async (person) => {
        if (behaviour === 'another-person') {
          const other = await registry.lookup(nationalId === '10000000146' ? '12345678950' : '10000000146');
          return reply(res, 200, { person: other });
        }
        if (!person) return reply(res, 404, { error: 'not_found' });
        reply(res, 200, { person });
      });
    });
  };

  const server = options.tls
    ? https.createServer(
        { cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    get requests() {
      return requests;
    },
    clients,
    setBehaviour(next) {
      behaviour = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
