// One HTTP exchange with an OCSP responder or a CRL distribution point, bounded in time and size.
// The URLs come from a certificate that has already chained to a configured anchor, so they are the
// CA's own; only plain http(s) is followed (no ldap:, file:, data:).

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface DerRequest {
  url: string;
  timeoutMs: number;
  maxBytes: number;
  /** POST body (OCSP); GET when absent (CRL). */
  body?: Uint8Array;
  contentType?: string;
  accept: string;
}

export class FetchFailure extends Error {
  override readonly name = 'FetchFailure';
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export async function fetchDer(fetchFn: FetchLike, request: DerRequest): Promise<Uint8Array> {
  if (!isHttpUrl(request.url)) throw new FetchFailure('not an http(s) URL');
  const headers: Record<string, string> = { accept: request.accept };
  if (request.contentType) headers['content-type'] = request.contentType;
  const init: RequestInit = { method: request.body ? 'POST' : 'GET', headers, redirect: 'follow', signal: AbortSignal.timeout(request.timeoutMs) };
  if (request.body) init.body = new Uint8Array(request.body);
  let response: Response;
  try {
    response = await fetchFn(request.url, init);
  } catch (err) {
    throw new FetchFailure(describe(err), { cause: err });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchFailure(`HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (declared > request.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchFailure(`${declared} bytes is over the ${request.maxBytes} byte limit`);
  }
  try {
    return await readLimited(response, request.maxBytes);
  } catch (err) {
    throw new FetchFailure(describe(err), { cause: err });
  }
}

/** Reads the body, giving up past maxBytes (a missing or lying content-length must not exhaust memory). */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`response over the ${maxBytes} byte limit`);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
