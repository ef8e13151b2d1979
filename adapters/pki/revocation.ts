import { AuthorityInfoAccessExtension, CRLDistributionPointsExtension, type X509Certificate } from './x509.js';
import { CrlInvalid, isListed, readCrl } from './crl.js';
import { FetchFailure, fetchDer, isHttpUrl, type FetchLike } from './fetch-der.js';
import { OcspInvalid, createOcspQuery, readOcspResponse, type OcspAnswer } from './ocsp.js';
import type { RevocationPolicy } from './port.js';
import type { RevocationCache } from './revocation-cache.js';

// Is this certificate revoked? OCSP first (the AIA's responders: one small signed answer), then the CRL
// distribution points. Each source is tried in turn; the first definite answer (good or revoked) wins.
// When none answers, the outcome is `unknown` and the policy's mode decides what that means.

export type RevocationOutcome =
  | { status: 'good'; source: 'ocsp' | 'crl' }
  | { status: 'revoked'; source: 'ocsp' | 'crl'; detail: string }
  | { status: 'unknown'; detail: string };

export interface RevocationCheckerOptions {
  fetch: FetchLike;
  now: () => Date;
  cache: RevocationCache;
}

const OCSP_MAX_BYTES = 256 * 1024;
const CRL_MAX_BYTES = 32 * 1024 * 1024;

export class RevocationChecker {
  readonly #options: RevocationCheckerOptions;
  /** Concurrent logins of the same person (or users of the same CRL) share one fetch. */
  readonly #inFlight = new Map<string, Promise<Uint8Array>>();

  constructor(options: RevocationCheckerOptions) {
    this.#options = options;
  }

  async check(cert: X509Certificate, issuer: X509Certificate, policy: RevocationPolicy): Promise<RevocationOutcome> {
    const problems: string[] = [];
    for (const url of ocspUrls(cert)) {
      try {
        const answer = await this.#ocsp(url, cert, issuer, policy);
        if (answer.status === 'good') return { status: 'good', source: 'ocsp' };
        if (answer.status === 'revoked') {
          return { status: 'revoked', source: 'ocsp', detail: `OCSP ${url}: revoked${answer.revokedAt ? ` at ${answer.revokedAt.toISOString()}` : ''}` };
        }
        problems.push(`OCSP ${url}: status unknown`);
      } catch (err) {
        problems.push(`OCSP ${url}: ${describe(err)}`);
      }
    }
    for (const url of crlUrls(cert)) {
      try {
        const revoked = await this.#crl(url, cert, issuer, policy);
        return revoked ? { status: 'revoked', source: 'crl', detail: `CRL ${url}: listed` } : { status: 'good', source: 'crl' };
      } catch (err) {
        problems.push(`CRL ${url}: ${describe(err)}`);
      }
    }
    return { status: 'unknown', detail: problems.length ? problems.join('; ') : 'certificate names no OCSP responder or CRL' };
  }

  async #ocsp(url: string, cert: X509Certificate, issuer: X509Certificate, policy: RevocationPolicy): Promise<OcspAnswer> {
    const query = await createOcspQuery(cert, issuer);
    const key = `ocsp:${url}:${query.cacheKey}`;
    const cached = await this.#cached(key);
    if (cached) {
      try {
        return await readOcspResponse(cached, query, issuer, this.#options.now());
      } catch {
        await this.#forget(key); // stale or unusable: ask again
      }
    }
    const der = await this.#fetchOnce(key, () =>
      fetchDer(this.#options.fetch, {
        url,
        body: query.der,
        contentType: 'application/ocsp-request',
        accept: 'application/ocsp-response',
        timeoutMs: policy.timeoutMs,
        maxBytes: OCSP_MAX_BYTES,
      }),
    );
    const answer = await readOcspResponse(der, query, issuer, this.#options.now());
    // "unknown" is not kept: the responder may learn of the certificate any moment.
    if (answer.status !== 'unknown') await this.#remember(key, der, policy.cacheSeconds, answer.nextUpdate);
    return answer;
  }

  async #crl(url: string, cert: X509Certificate, issuer: X509Certificate, policy: RevocationPolicy): Promise<boolean> {
    const key = `crl:${url}`;
    const cached = await this.#cached(key);
    if (cached) {
      try {
        return isListed(await readCrl(cached, issuer, this.#options.now()), cert);
      } catch {
        await this.#forget(key);
      }
    }
    const der = await this.#fetchOnce(key, () =>
      fetchDer(this.#options.fetch, { url, accept: 'application/pkix-crl', timeoutMs: policy.timeoutMs, maxBytes: CRL_MAX_BYTES }),
    );
    const crl = await readCrl(der, issuer, this.#options.now());
    await this.#remember(key, der, policy.cacheSeconds, crl.nextUpdate);
    return isListed(crl, cert);
  }

  #fetchOnce(key: string, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const started = load().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  // The cache only saves work: when it fails (a Redis outage), revocation is checked live instead.
  async #cached(key: string): Promise<Uint8Array | undefined> {
    return this.#options.cache.get(key).catch(() => undefined);
  }

  async #forget(key: string): Promise<void> {
    await this.#options.cache.delete(key).catch(() => undefined);
  }

  /** Kept for cacheSeconds, never past the response's own nextUpdate. */
  async #remember(key: string, der: Uint8Array, cacheSeconds: number, nextUpdate: Date | undefined): Promise<void> {
    let ttl = cacheSeconds;
    if (nextUpdate) ttl = Math.min(ttl, (nextUpdate.getTime() - this.#options.now().getTime()) / 1000);
    ttl = Math.floor(ttl);
    if (ttl > 0) await this.#options.cache.set(key, der, ttl).catch(() => undefined);
  }
}

function ocspUrls(cert: X509Certificate): string[] {
  const aia = cert.getExtension(AuthorityInfoAccessExtension);
  return (aia?.ocsp ?? []).filter((name) => name.type === 'url' && isHttpUrl(name.value)).map((name) => name.value);
}

/** Full-name http(s) distribution points for all reasons, published by the issuer itself (no indirect CRLs). */
function crlUrls(cert: X509Certificate): string[] {
  const extension = cert.getExtension(CRLDistributionPointsExtension);
  const urls: string[] = [];
  for (const point of extension?.distributionPoints ?? []) {
    if (point.reasons || point.cRLIssuer) continue;
    for (const name of point.distributionPoint?.fullName ?? []) {
      const uri = name.uniformResourceIdentifier;
      if (uri && isHttpUrl(uri)) urls.push(uri);
    }
  }
  return urls;
}

function describe(err: unknown): string {
  if (err instanceof FetchFailure || err instanceof OcspInvalid || err instanceof CrlInvalid) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
