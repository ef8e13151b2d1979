import http from 'node:http';

// A lean HTTP/1.1 client on node:http with keep-alive: the load generator's CPU is the scarce resource
// on a 2-core machine, and fetch costs several times more per request.

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  // Idle sockets are dropped before the server's 5 s keep-alive timeout closes them under us.
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 4_000, scheduling: 'lifo' });
}

export function request(agent: http.Agent, url: URL | string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const target = typeof url === 'string' ? new URL(url) : url;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: init.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${target.pathname}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A cookie jar for one host (the benchmark talks to one server at a time). */
export class Jar {
  readonly #cookies = new Map<string, string>();

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  store(headers: http.IncomingHttpHeaders): void {
    for (const line of headers['set-cookie'] ?? []) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM = 'application/x-www-form-urlencoded';
