import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpPushGateway } from '../../../adapters/push/http-gateway.js';
import { PushOutbox } from '../../../adapters/push/outbox.js';
import { freePort } from '../../../test/support/kapi.js';

// The real push client against a local HTTP push gateway.
describe('push port: HTTP push gateway and outbox', () => {
  let server: Server;
  let base: string;
  let status = 200;
  const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
        res.statusCode = status;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${port}/v1/push`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the notification with the bearer token and an idempotency key', async () => {
    const gateway = new HttpPushGateway({ endpoint: base, token: 'operator-secret' });
    await gateway.send({ token: 'device-push-token', title: 'e-Devlet', body: 'Onay bekleniyor', data: { type: 'approval', approvalId: 'dva_1' } });
    const [sent] = received;
    expect(sent!.headers.authorization).toBe('Bearer operator-secret');
    expect(sent!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent!.body).toMatchObject({
      to: 'device-push-token',
      notification: { title: 'e-Devlet', body: 'Onay bekleniyor' },
      data: { type: 'approval', approvalId: 'dva_1' },
    });
  });

  it('reports a refusal and an unreachable gateway as upstream_unavailable', async () => {
    status = 503;
    const gateway = new HttpPushGateway({ endpoint: base });
    await expect(gateway.send({ token: 't', title: 'x', body: 'y', data: { type: 'approval', approvalId: 'a' } })).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
    const closedPort = await freePort();
    const down = new HttpPushGateway({ endpoint: `http://127.0.0.1:${closedPort}/push`, timeoutMs: 1000 });
    await expect(down.send({ token: 't', title: 'x', body: 'y', data: { type: 'approval', approvalId: 'a' } })).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
    status = 200;
  });

  it('refuses credentials in the URL', () => {
    expect(() => new HttpPushGateway({ endpoint: 'https://user:pass@push.example/v1' })).toThrow(/not in the URL/);
  });

  it('keeps what would have been sent in the outbox, newest first', async () => {
    const outbox = new PushOutbox();
    await outbox.send({ token: 'a', title: '1', body: '1', data: { type: 'approval', approvalId: 'x' } });
    await outbox.send({ token: 'a', title: '2', body: '2', data: { type: 'approval', approvalId: 'y' } });
    expect(outbox.latest('a')?.data.approvalId).toBe('y');
    expect(outbox.list('b')).toEqual([]);
  });
});
