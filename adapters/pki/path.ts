import { webcrypto } from 'node:crypto';
import { AuthorityKeyIdentifierExtension, BasicConstraintsExtension, SubjectKeyIdentifierExtension, type X509Certificate } from './x509.js';
import { isCa, mayIssueCertificates, sameCertificate, validityProblem, type ValidityProblem } from './certificate.js';

// Certification path building: from the leaf, issuer by issuer, through the certificates the client sent
// and the profile's known intermediates, to one of the profile's anchors. Each link is proved by the
// signature, not by the names alone; names (and key identifiers, when both sides carry them) only choose
// which candidates are worth a signature check. Anchors are trusted as configured: their own signature
// is not checked, their validity period is.

export type PathResult =
  | { ok: true; path: X509Certificate[] }
  | { ok: false; reason: 'untrusted' | ValidityProblem; detail: string };

/** Deeper paths than this are not built: no real hierarchy is that deep, and it bounds the work. */
const MAX_DEPTH = 8;

interface Search {
  pool: X509Certificate[];
  anchors: X509Certificate[];
  at: Date;
  /** The first validity problem met on an otherwise complete link, reported when no clean path exists. */
  validity?: { reason: ValidityProblem; detail: string };
}

/** Path from `leaf` (first) to an anchor (last); the leaf's own validity is the caller's concern. */
export async function buildPath(leaf: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): Promise<PathResult> {
  const search: Search = { pool: pool.filter((c) => !anchors.some((a) => sameCertificate(a, c))), anchors, at };
  const path = await extend([leaf], search);
  if (path) return { ok: true, path };
  if (search.validity) return { ok: false, ...search.validity };
  return { ok: false, reason: 'untrusted', detail: `no path from "${leaf.issuer}" to a trust anchor` };
}

async function extend(path: X509Certificate[], search: Search): Promise<X509Certificate[] | undefined> {
  const current = path[path.length - 1]!;
  if (path.length > MAX_DEPTH) return undefined;
  // Anchors first: a path that ends early is shorter and needs no further intermediates.
  const candidates = [...search.anchors.map((c) => ({ cert: c, anchor: true })), ...search.pool.map((c) => ({ cert: c, anchor: false }))];
  for (const { cert: candidate, anchor } of candidates) {
    if (path.some((c) => sameCertificate(c, candidate))) continue;
    if (!namesIssuer(candidate, current) || !keyIdsAgree(candidate, current)) continue;
    if (!mayIssue(candidate, anchor, path.length - 1)) continue;
    if (!(await signedBy(current, candidate))) continue;
    const problem = validityProblem(candidate, search.at);
    if (problem) {
      search.validity ??= { reason: problem, detail: `${anchor ? 'anchor' : 'intermediate'} "${candidate.subject}" is ${problem === 'not_yet_valid' ? 'not yet valid' : 'expired'}` };
      continue;
    }
    if (anchor) return [...path, candidate];
    const longer = await extend([...path, candidate], search);
    if (longer) return longer;
  }
  return undefined;
}

function namesIssuer(issuer: X509Certificate, subject: X509Certificate): boolean {
  return issuer.subject === subject.issuer;
}

/** Key identifiers only rule a candidate out when both sides carry them and they differ (re-keyed CAs). */
function keyIdsAgree(issuer: X509Certificate, subject: X509Certificate): boolean {
  const authorityKeyId = subject.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
  const subjectKeyId = issuer.getExtension(SubjectKeyIdentifierExtension)?.keyId;
  return !authorityKeyId || !subjectKeyId || authorityKeyId.toLowerCase() === subjectKeyId.toLowerCase();
}

/**
 * Intermediates must be CAs (basicConstraints cA) allowed to sign certificates, within their pathLen.
 * Anchors are configuration: an old v1 root without basicConstraints is accepted, one that says
 * "not a CA" is not.
 * @param below intermediates already between this issuer and the leaf (self-issued ones are counted too: stricter)
 */
function mayIssue(issuer: X509Certificate, anchor: boolean, below: number): boolean {
  const constraints = issuer.getExtension(BasicConstraintsExtension);
  if (anchor ? constraints?.ca === false : !isCa(issuer)) return false;
  if (!mayIssueCertificates(issuer)) return false;
  const pathLength = constraints?.pathLength;
  return pathLength === undefined || below <= pathLength;
}

async function signedBy(subject: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await subject.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto as Crypto);
  } catch {
    // An algorithm WebCrypto cannot verify (or a broken key) proves nothing.
    return false;
  }
}
