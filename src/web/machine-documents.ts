import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Discovery and JWKS answered from the bytes oidc-provider gave the first time (issue 24 point 2).
 *
 * Both documents change only when the provider is rebuilt (a key rotation, heard on pub/sub or polled:
 * src/oidc/provider-holder.ts; the configuration is fixed for a provider's life), yet oidc-provider builds
 * each answer afresh: a Koa context, its own context, CORS, the document as an object and JSON.stringify.
 * Under a flood of tens of thousands of requests per second that was 32–42 kB allocated per request (bare
 * oidc-provider 23–34), and the young generation's peaks stay behind as RSS (`--no-memory-reducer`).
 *
 * The cache is keyed by the provider's request handler (one per provider instance), so a rebuilt provider
 * starts with an empty cache and its first answer is the new document; there is nothing to invalidate.
 * A miss goes to oidc-provider as before and its 200 answer is kept: the same bytes, never a rendering
 * of our own. The discovery document's URLs are built from the request (Koa's `ctx.href`: TLS, Host,
 * and behind a proxy X-Forwarded-Host and -Proto), so its copies are kept per value of those headers, at
 * most VARIANTS of them per provider: a request with yet another Host is answered by oidc-provider, as
 * before, and never fills memory.
 *
 * What oidc-provider adds per request is done here: CORS (its open policy: the request's Origin or `*`,
 * `Vary: Origin`). New: an ETag, and 304 for a matching If-None-Match (RFC 9110 §13.1.2), so a client that
 * revalidates is answered without the body.
 */

/** The paths served from the cache (GET only), and whether their document depends on the request's host. */
export const CACHED_DOCUMENTS: ReadonlyMap<string, { perHost: boolean }> = new Map([
  ['/.well-known/openid-configuration', { perHost: true }],
  ['/jwks', { perHost: false }],
]);
export const VARIANTS = 8;

interface Cached {
  body: Buffer;
  type: string;
  etag: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** What Koa's `ctx.href` (and so oidc-provider's `urlFor`) reads from a request, apart from its path. */
function hostVariant(req: IncomingMessage): string {
  const h = req.headers;
  return JSON.stringify([
    (req.socket as { encrypted?: boolean }).encrypted === true,
    req.httpVersionMajor >= 2 ? (h[':authority'] ?? '') : '',
    h.host ?? '',
    h['x-forwarded-host'] ?? '',
    h['x-forwarded-proto'] ?? '',
  ]);
}

/** Weak comparison of If-None-Match with an entity tag (RFC 9110 §13.1.2): a list, `*`, weak tags. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || strip(t) === strip(etag);
  });
}

export class MachineDocuments {
  // Per handler (= per provider instance), per path, per variant. A WeakMap: a replaced provider's
  // copies go with it.
  readonly #byHandler = new WeakMap<Handler, Map<string, Map<string, Cached>>>();

  /**
   * Answers `req` from the cache when it can (true). Otherwise returns false, having arranged for
   * oidc-provider's answer to be kept when it is a 200 and there is room: the caller hands the request on.
   */
  serve(handler: Handler, path: string, req: IncomingMessage, res: ServerResponse): boolean {
    const kind = CACHED_DOCUMENTS.get(path);
    if (!kind || req.method !== 'GET') return false;
    let paths = this.#byHandler.get(handler);
    if (!paths) this.#byHandler.set(handler, (paths = new Map()));
    let copies = paths.get(path);
    if (!copies) paths.set(path, (copies = new Map()));
    const variant = kind.perHost ? hostVariant(req) : '';
    const cached = copies.get(variant);
    if (cached) {
      answer(cached, req, res);
      return true;
    }
    const kept = copies;
    if (kept.size < VARIANTS) keepAnswer(res, (doc) => kept.size < VARIANTS && kept.set(variant, doc));
    return false;
  }
}

function answer(doc: Cached, req: IncomingMessage, res: ServerResponse): void {
  // oidc-provider's open CORS policy (lib/shared/cors.js) for these routes.
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('ETag', doc.etag);
  if (etagMatches(req.headers['if-none-match'], doc.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', doc.type);
  res.setHeader('Content-Length', doc.body.length);
  res.end(doc.body);
}

/** Wraps this response's `end` to keep the body oidc-provider sends with a 200 (Koa sends it in one `end`). */
function keepAnswer(res: ServerResponse, keep: (doc: Cached) => unknown): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const [chunk] = args;
    const type = res.getHeader('content-type');
    if (res.statusCode === 200 && typeof type === 'string' && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) && chunk.length > 0) {
      const body = Buffer.from(chunk);
      keep({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
}
