import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MsspSimulator } from '../../../adapters/mobile-operators/simulator/server.js';

// A switch in front of the MSSP simulator, as a test's stand-in for an operator's outage: `up` passes
// every request through unchanged, `down` answers each one with an HTTP 503 page (not SOAP), as a
// failing operator's load balancer does. Kapı is pointed at the switch in its operators file.

export interface OperatorSwitch {
  /** The endpoint to give Kapı for `operator` (the simulator's path behind the switch). */
  endpoint(operator: string): string;
  set(mode: 'up' | 'down'): void;
  /** Probe requests sent through the switch, up or down (MSS_StatusQuery for a transaction nobody issued). */
  probes(operator?: string): number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startOperatorSwitch(simulator: MsspSimulator): Promise<OperatorSwitch> {
  let mode: 'up' | 'down' = 'up';
  const probes: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      if (/MSSP_TransID="KAPI-PROBE-/.test(payload.toString('utf8'))) probes.push(String(req.url).replace(/^\//, ''));
      if (mode === 'down') {
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>503 Service Unavailable</body></html>');
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'soapaction', 'accept']) if (req.headers[name]) headers[name] = String(req.headers[name]);
      const answer = await fetch(`${simulator.url}${req.url}`, { method: req.method, headers, body: payload.toString('utf8') });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' }).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: (operator) => `${base}/${operator}`,
    set: (next) => {
      mode = next;
    },
    probes: (operator) => probes.filter((p) => !operator || p === operator).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
