import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// An upstream that accepts the connection, reads the request line and headers, and never answers: the
// worst way a bank, an MSSP, an SMS gateway or an OCSP responder can fail (a refused connection at
// least fails at once). It counts the requests it holds, so a test can tell that Kapı's request to it
// is still pending. `answer` lets a test serve some paths (a bank's discovery document) and swallow
// the rest (its token endpoint).

export interface BlackHole {
  /** http://127.0.0.1:port, no trailing slash. */
  url: string;
  /** Requests received so far, by method and path. */
  readonly received: string[];
  /** Requests held open right now (the client has not given up on them yet). */
  pending(): number;
  /**
   * Resolves once no request is held (the client closed its connections); rejects after `withinMs`.
   * The close reaches this server a moment after the client gives up, so it is waited for.
   */
  waitUntilIdle(withinMs?: number): Promise<void>;
  /** Resolves once `count` requests have arrived; rejects after `withinMs`. */
  waitForRequests(count: number, withinMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBlackHole(answer?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<BlackHole> {
  const received: string[] = [];
  const held = new Set<ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    if (answer?.(req, res)) return;
    received.push(`${req.method} ${req.url}`);
    held.add(res);
    // A response that was never written closes only when the client (Kapı) drops the connection.
    res.on('close', () => held.delete(res));
    req.on('error', () => undefined);
    for (const waiter of [...waiters]) {
      if (received.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    pending: () => held.size,
    async waitUntilIdle(withinMs = 2000) {
      const until = Date.now() + withinMs;
      while (held.size > 0) {
        if (Date.now() > until) throw new Error(`the black hole at port ${port} still holds ${held.size} open request(s) after ${withinMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    waitForRequests(count, withinMs = 15_000) {
      if (received.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the black hole at port ${port} got ${received.length} of ${count} requests within ${withinMs} ms`)),
          withinMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
