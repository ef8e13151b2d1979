import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { KapiError } from '../../src/errors.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import { log } from '../../src/log.js';
import { CircuitBreaker, type BreakerOptions } from './circuit-breaker.js';
import { personSchema } from './person-schema.js';
import type { PopulationRegistry, RegistryPerson } from './port.js';
import { TtlLruCache } from './ttl-cache.js';

// The production population registry: one POST per lookup, to the contract in
// docs/population-registry.openapi.json, over HTTPS with mutual TLS (Kapı presents its client
// certificate, and trusts only the configured CA for the registry's). Around it:
//  - a timeout on the whole answer, so a hanging registry costs a request at most that long;
//  - a circuit breaker, so a registry that is down costs nothing at all after a few failures
//    (mobile-signature starts then skip their registry check, DESIGN.md third round; resets, office
//    issuance and first sign-ins answer 503 at once);
//  - a short bounded cache of answers (who holds a number changes rarely; the same number is looked up
//    several times in one sign-in or one office visit), by count and time, never across processes.
// Error messages name the failure, never the identity number (they reach the logs).

export const LOOKUP_PATH = '/v1/people/lookup';
const MAX_ANSWER_BYTES = 64 * 1024;

export interface RegistryTls {
  /** PEM: Kapı's client certificate (with its chain) and its private key; production always has them. */
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  /** PEM: the CA the registry's certificate must chain to. Absent: Node's own list of public roots. */
  ca?: string | Buffer | undefined;
}

export interface HttpsRegistryOptions {
  /** https:// (http:// only outside production, against the simulator). The contract's paths go under it. */
  baseUrl: string;
  tls?: RegistryTls | undefined;
  timeoutMs: number;
  /** Answers kept in this process (0 entries or 0 ms: none). */
  cache?: { maxEntries: number; ttlMs: number };
  breaker?: BreakerOptions;
  now?: () => number;
}

const answerSchema = z.object({ person: personSchema });

export class HttpsRegistry implements PopulationRegistry {
  readonly #url: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  readonly #cache: TtlLruCache<RegistryPerson | null>;
  readonly #breaker: CircuitBreaker;

  constructor(options: HttpsRegistryOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl.slice(0, -1) : options.baseUrl;
    this.#url = new URL(base + LOOKUP_PATH);
    if (this.#url.protocol === 'https:') {
      this.#agent = new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        minVersion: 'TLSv1.2',
        ...(options.tls?.cert && options.tls.key ? { cert: options.tls.cert, key: options.tls.key } : {}),
        ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
      });
    } else {
      if (options.tls) throw new KapiError('config_invalid', 'certificates for the population registry need an https:// URL');
      this.#agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    }
    this.#timeoutMs = options.timeoutMs;
    this.#cache = new TtlLruCache(options.cache?.maxEntries ?? 10_000, options.cache?.ttlMs ?? 60_000, options.now);
    this.#breaker = new CircuitBreaker({
      now: options.now,
      onChange: (state, lastError) => {
        if (state === 'open')
          log.warn(
            { lastError, retryAfterSeconds: this.#breaker.retryAfterSeconds },
            'population registry unreachable: circuit opened, lookups fail at once until the cool-down ends',
          );
        else log.info('population registry answers again: circuit closed');
      },
      ...options.breaker,
    });
  }

  /** The breaker's state, for tests and readiness pages. */
  get circuit(): CircuitBreaker {
    return this.#breaker;
  }

  async lookup(nationalId: string): Promise<RegistryPerson | null> {
    // Nobody holds a number that fails the checksum: the registry is not asked (the fixtures answer the same).
    const valid = validateNationalId(nationalId);
    if (!valid.ok || valid.number !== nationalId) return null;
    const cached = this.#cache.get(nationalId);
    if (cached !== undefined) return cached && structuredClone(cached);
    if (!this.#breaker.tryAcquire()) {
      throw new KapiError(
        'upstream_unavailable',
        `population registry not asked: circuit open for ${this.#breaker.retryAfterSeconds} s more after repeated failures (last: ${this.#breaker.lastError})`,
      );
    }
    let answer: RegistryPerson | null;
    try {
      answer = await this.#ask(nationalId);
    } catch (err) {
      const reason = (err as Error).message;
      this.#breaker.failure(reason);
      throw new KapiError('upstream_unavailable', `population registry: ${reason}`);
    }
    this.#breaker.success();
    this.#cache.set(nationalId, answer);
    return answer && structuredClone(answer);
  }

  close(): void {
    this.#agent.destroy();
    this.#cache.clear();
  }

  /** One request; resolves with the answer, rejects with a reason (a transport failure, a timeout, a bad answer). */
  #ask(nationalId: string): Promise<RegistryPerson | null> {
    const body = JSON.stringify({ nationalId });
    const send = this.#url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, value?: RegistryPerson | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value ?? null);
      };
      const req = send(
        this.#url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              req.destroy();
              finish(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
            } else chunks.push(chunk);
          });
          res.on('error', (err) => finish(new Error(`answer broken off (${err.message})`)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 404) return finish(undefined, null);
            if (status !== 200) return finish(new Error(`answered HTTP ${status}`));
            try {
              const parsed = answerSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
              if (!parsed.success) return finish(new Error('answer does not follow the contract'));
              // A misrouted or mixed-up answer must never become someone else's account.
              if (parsed.data.person.nationalId !== nationalId) return finish(new Error('answer is about another identity number'));
              finish(undefined, parsed.data.person);
            } catch {
              finish(new Error('answer is not JSON'));
            }
          });
        },
      );
      const timer = setTimeout(() => {
        finish(new Error(`no answer within ${this.#timeoutMs} ms`));
        req.destroy();
      }, this.#timeoutMs);
      req.on('error', (err) => finish(new Error(transportError(err))));
      req.end(body);
    });
  }
}

/** A transport failure in a few words: the code (ECONNREFUSED, a TLS alert, a certificate error) and Node's message. */
function transportError(err: NodeJS.ErrnoException): string {
  return `cannot reach it (${err.code ? `${err.code}: ` : ''}${err.message})`;
}
