import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { PathCertificate } from './path-rules.js';

// RFC 5280 §6.1 path validation by pkijs's CertificateChainValidationEngine, on ONE candidate path that
// path-search.ts has already found. The engine's own path search is not used: it recurses without loop
// detection (a cross-signed pair never ends), gives up on the whole search when any branch dead-ends, and
// validates only the shortest path it found. So its `findIssuer` is pinned to the next certificate of the
// candidate, whose signature the engine still verifies itself. No CRL or OCSP response is handed to it:
// with none, the engine skips revocation, which stays Kapı's own (revocation.ts).

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as Crypto });

/** The engine's result codes for a path that is not valid at the time (see validityOfPath for which). */
export const PKIJS_VALIDITY_CODE = 8;

export type EngineVerdict = { ok: true } | { ok: false; code: number; detail: string };

export async function pkijsAcceptsPath(path: PathCertificate[], at: Date): Promise<EngineVerdict> {
  const certs = path.map((c) => c.pkijs);
  const next = new Map(certs.slice(0, -1).map((cert, index) => [cert, certs[index + 1]!]));
  const validation = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [certs[certs.length - 1]!],
    // The engine takes the last of `certs` as the end-entity certificate.
    certs: [...certs.slice(1, -1), certs[0]!],
    checkDate: at,
    findIssuer: async (cert, _validation, crypto) => {
      const issuer = next.get(cert);
      if (!issuer) return [];
      try {
        return (await cert.verify(issuer, crypto)) ? [issuer] : [];
      } catch {
        return [];
      }
    },
  });
  try {
    const result = await validation.verify({}, engine);
    if (result.result) return { ok: true };
    return { ok: false, code: result.resultCode ?? -1, detail: `pkijs: ${result.resultMessage ?? 'path refused'}` };
  } catch (err) {
    return { ok: false, code: -1, detail: `pkijs: ${(err as Error).message}` };
  }
}
