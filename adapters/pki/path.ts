import * as pkijs from 'pkijs';
import type { X509Certificate } from './x509.js';
import { sameCertificate, type ValidityProblem } from './certificate.js';
import { PKIJS_VALIDITY_CODE, pkijsAcceptsPath } from './path-engine.js';
import {
  directoryNameOutsideConstraints,
  pathLengthExceeded,
  unknownCriticalExtension,
  unreadableConstraint,
  validityOfPath,
  type PathCertificate,
  type PathProblem,
} from './path-rules.js';
import { MAX_SEARCH_STEPS, candidatePaths, type SearchBudget } from './path-search.js';

// Certification path validation per RFC 5280 §6.1 for the smart-card and mobile-signature logins.
// path-search.ts proposes candidate paths from the leaf to one of the profile's anchors (bounded, loop
// free); each candidate is validated by pkijs's chain validation engine (path-engine.ts) and by the
// RFC 5280 checks pkijs lacks (path-rules.ts). The first candidate that passes everything is the path.
// Anchors are configuration: the engine trusts them as given, their dates and constraints still count.
// Revocation is not part of this: the validator asks OCSP/CRL (revocation.ts) once a path stands.

export type PathResult = { ok: true; path: X509Certificate[] } | { ok: false; reason: 'untrusted' | ValidityProblem; detail: string };

/** Candidate paths validated at most per login: a client cannot make Kapı validate paths without end. */
const MAX_CANDIDATES = 8;

/** Path from `leaf` (first) to an anchor (last), valid at `at`, the leaf's own dates included. */
export async function validatePath(leaf: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): Promise<PathResult> {
  const budget: SearchBudget = { steps: MAX_SEARCH_STEPS };
  const intermediates = distinct(pool.filter((c) => !anchors.some((a) => sameCertificate(a, c))));
  let firstProblem: PathProblem | undefined;
  let validityProblem: PathProblem | undefined;
  let tried = 0;
  for await (const candidate of candidatePaths(leaf, intermediates, anchors, budget)) {
    const problem = await problemOf(candidate, at);
    if (!problem) return { ok: true, path: candidate };
    firstProblem ??= problem;
    if (problem.reason !== 'untrusted') validityProblem ??= problem;
    if (++tried >= MAX_CANDIDATES) break;
  }
  // As before the engine: a path that is only out of date says so; otherwise the first reason found.
  const problem = validityProblem ?? firstProblem;
  if (problem) return { ok: false, ...problem };
  const why = budget.exhausted ? `path search stopped after ${MAX_SEARCH_STEPS} steps` : 'no path';
  return { ok: false, reason: 'untrusted', detail: `${why} from "${leaf.issuer}" to a trust anchor` };
}

async function problemOf(candidate: X509Certificate[], at: Date): Promise<PathProblem | undefined> {
  let path: PathCertificate[];
  try {
    path = candidate.map((x509) => ({ x509, pkijs: pkijs.Certificate.fromBER(new Uint8Array(x509.rawData)) }));
  } catch (err) {
    return { reason: 'untrusted', detail: `pkijs cannot read a certificate of the path: ${(err as Error).message}` };
  }
  // Dates first, so that an out-of-date path reads as expired or not yet valid, not as untrusted.
  const dated = validityOfPath(path, at);
  if (dated) return dated;
  const engine = await pkijsAcceptsPath(path, at);
  if (!engine.ok) {
    // The engine's own date check cannot fail where validityOfPath passed; if it does, refuse all the same.
    return { reason: 'untrusted', detail: engine.code === PKIJS_VALIDITY_CODE ? `${engine.detail} (dates)` : engine.detail };
  }
  return unknownCriticalExtension(path) ?? unreadableConstraint(path) ?? pathLengthExceeded(path) ?? directoryNameOutsideConstraints(path);
}

function distinct(certs: X509Certificate[]): X509Certificate[] {
  return certs.filter((cert, index) => certs.findIndex((other) => sameCertificate(other, cert)) === index);
}
