import http from 'node:http';
import https from 'node:https';

// One HTTP(S) exchange with an MSSP, bounded in time and size. Each operator gets its own agent (its own
// socket pool), so a slow or hanging operator cannot take the connections the others need. An optional
// TLS client certificate authenticates Kapı to operators that ask for one.

export interface TlsClientOptions {
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  /** Extra CA certificates for the operator's server certificate (PEM). */
  ca?: Buffer;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** Why an exchange failed; `notSent` means the request certainly never reached the operator. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    readonly notSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_RESPONSE_BYTES = 512 * 1024;
/** Errors raised before a connection exists: the request was not delivered, so it is safe to send again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class HttpTransport {
  readonly #agent: http.Agent;
  readonly #url: URL;

  constructor(endpoint: string, tls: TlsClientOptions = {}) {
    this.#url = new URL(endpoint);
    this.#agent =
      this.#url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 64, ...tls }) : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpReply> {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: TransportError) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const req = lib.request(
        target,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy();
              fail(new TransportError(`response over ${MAX_RESPONSE_BYTES} bytes`, false));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', (err) => fail(new TransportError(`response interrupted: ${err.message}`, false, { cause: err })));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        fail(new TransportError(`no answer within ${timeoutMs} ms`, false));
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(new TransportError(`${err.code ?? err.name}: ${err.message}`, NOT_SENT.has(err.code ?? ''), { cause: err }));
      });
      req.end(body);
    });
  }

  get endpoint(): string {
    return this.#url.href;
  }

  close(): void {
    this.#agent.destroy();
  }
}
