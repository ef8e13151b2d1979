import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpSmsGateway } from '../../adapters/sms/http-gateway.js';
import { log } from '../../src/log.js';
import { freePort } from '../support/kapi.js';

// The HTTP SMS client against a real HTTP server on 127.0.0.1 that plays the gateway: it records what
// arrives and answers as each test tells it to.

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

describe('HTTP SMS gateway client', () => {
  let server: Server;
  let endpoint: string;
  const received: Received[] = [];
  let arrivals = 0;
  let answer: (req: Received, res: ServerResponse, n: number) => void = (_r, res) => {
    res.statusCode = 202;
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"queued"}');
  };

  beforeAll(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      arrivals += 1;
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const r: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
        };
        received.push(r);
        answer(r, res, received.length);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${port}/v1/messages`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    received.length = 0;
    arrivals = 0;
    answer = (_r, res) => {
      res.statusCode = 202;
      res.end('{}');
    };
  });

  it('posts one JSON message with the sender id, the bearer token and an idempotency key', async () => {
    const gateway = new HttpSmsGateway({ endpoint, token: 'gw-secret-token', senderId: 'KAPI' });
    await gateway.send({ to: '+905321112233', text: 'Kodunuz: 123456', purpose: 'contact_verification' });
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r!.method).toBe('POST');
    expect(r!.path).toBe('/v1/messages');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers.authorization).toBe('Bearer gw-secret-token');
    expect(r!.body).toMatchObject({ from: 'KAPI', to: '+905321112233', text: 'Kodunuz: 123456' });
    expect(r!.headers['idempotency-key']).toBe(r!.body.reference);
  });

  it('authenticates with HTTP Basic when given a user name and password', async () => {
    const gateway = new HttpSmsGateway({ endpoint, username: 'kapi', password: 'p@ss', senderId: 'KAPI' });
    await gateway.send({ to: '+905321112233', text: 'x', purpose: 'notification' });
    expect(received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('kapi:p@ss').toString('base64')}`);
  });

  it('retries a "not accepted, try again" answer with the same reference, and succeeds', async () => {
    answer = (_r, res, n) => {
      res.statusCode = n < 3 ? 503 : 200;
      res.end('{}');
    };
    const gateway = new HttpSmsGateway({ endpoint, senderId: 'KAPI', retries: 2, retryDelayMs: 10 });
    await gateway.send({ to: '+905321112233', text: 'x', purpose: 'notification' });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body.reference)).size).toBe(1);
  });

  it('does not retry an answer that may mean "sent" (500), and reports it as upstream_unavailable', async () => {
    answer = (_r, res) => {
      res.statusCode = 500;
      res.end('{}');
    };
    const gateway = new HttpSmsGateway({ endpoint, senderId: 'KAPI', retries: 3, retryDelayMs: 10 });
    await expect(gateway.send({ to: '+905321112233', text: 'x', purpose: 'notification' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(received).toHaveLength(1);
  });

  it('gives up after its timeout without retrying (the gateway may have sent it)', async () => {
    // The gateway never answers, so only the client's own timeout can end the send; a retry would show
    // as a second request. Requests are counted when their headers arrive, not when their body has been
    // read, so a loaded machine cannot make the one request vanish before it is counted.
    const held: ServerResponse[] = [];
    answer = (_r, res) => void held.push(res);
    const gateway = new HttpSmsGateway({ endpoint, senderId: 'KAPI', timeoutMs: 500, retries: 2, retryDelayMs: 10 });
    try {
      await expect(gateway.send({ to: '+905321112233', text: 'x', purpose: 'notification' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
      expect(arrivals).toBe(1);
    } finally {
      for (const res of held) res.destroy();
    }
  });

  it('retries a refused connection, then reports it', async () => {
    const closedPort = await freePort();
    const gateway = new HttpSmsGateway({ endpoint: `http://127.0.0.1:${closedPort}/v1/messages`, senderId: 'KAPI', retries: 2, retryDelayMs: 10 });
    await expect(gateway.send({ to: '+905321112233', text: 'x', purpose: 'notification' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('never logs the text, the number or the credentials', async () => {
    const lines: string[] = [];
    const original = { info: log.info.bind(log), warn: log.warn.bind(log) };
    const capture = (...args: unknown[]) => void lines.push(JSON.stringify(args));
    (log as unknown as { info: unknown }).info = capture;
    (log as unknown as { warn: unknown }).warn = capture;
    try {
      const gateway = new HttpSmsGateway({ endpoint, token: 'gw-secret-token', senderId: 'KAPI', retries: 0 });
      await gateway.send({ to: '+905329998877', text: 'Kod 654321', purpose: 'password_reset' });
      answer = (_r, res) => {
        res.statusCode = 400;
        res.end('{"error":"bad"}');
      };
      await expect(gateway.send({ to: '+905329998877', text: 'Kod 654321', purpose: 'password_reset' })).rejects.toThrow();
    } finally {
      (log as unknown as { info: unknown }).info = original.info;
      (log as unknown as { warn: unknown }).warn = original.warn;
    }
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const all = lines.join('\n');
    expect(all).not.toContain('654321');
    expect(all).not.toContain('9998877');
    expect(all).not.toContain('gw-secret-token');
  });

  it('refuses credentials in the URL, a malformed sender id and a number not in E.164 form', async () => {
    expect(() => new HttpSmsGateway({ endpoint: 'https://user:pw@sms.example/v1', senderId: 'KAPI' })).toThrow(/credentials/);
    expect(() => new HttpSmsGateway({ endpoint, senderId: 'A sender id that is too long' })).toThrow(/sender id/);
    const gateway = new HttpSmsGateway({ endpoint, senderId: 'KAPI' });
    await expect(gateway.send({ to: '05321112233', text: 'x', purpose: 'notification' })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(received).toHaveLength(0);
  });
});
