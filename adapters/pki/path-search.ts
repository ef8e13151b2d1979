import { webcrypto } from 'node:crypto';
import { AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension, type X509Certificate } from './x509.js';

// Finding candidate certification paths (RFC 4158's job, not RFC 5280's): from the leaf, issuer by
// issuer, through the certificates the client sent and the profile's intermediates, to one of the
// profile's anchors. A link is proved by its signature; names (and key identifiers, when both sides carry
// them) only choose which candidates are worth a signature check. Whether a found path is VALID is
// path-engine.ts's and path-rules.ts's question: this search only guarantees that it ends, whatever the
// client sends. Loops (cross-certified pairs, meshes) are cut by never putting the same subject and key
// twice in one path (RFC 4158's loop detection), the depth is bounded, and so is the work of one search.

/** Certificates in a path, leaf and anchor included. No real hierarchy is deeper than four. */
export const MAX_PATH_CERTIFICATES = 8;
/** Issuer candidates considered in one search (each costs at most one signature check). */
export const MAX_SEARCH_STEPS = 64;

export interface SearchBudget {
  steps: number;
  /** Set when the search stopped for lack of budget rather than of paths. */
  exhausted?: boolean;
}

/**
 * Candidate paths from `leaf` (first) to an anchor (last), breadth first, with partial paths whose last
 * certificate names an anchor as its issuer taken first (one of RFC 4158's sorting rules): a short honest
 * path is met before the budget is spent on a long or tangled one. The caller stops pulling once a
 * candidate validates.
 */
export async function* candidatePaths(
  leaf: X509Certificate,
  pool: X509Certificate[],
  anchors: X509Certificate[],
  budget: SearchBudget,
): AsyncGenerator<X509Certificate[]> {
  const links = new LinkProver();
  const candidates = [...anchors.map((cert) => ({ cert, anchor: true })), ...pool.map((cert) => ({ cert, anchor: false }))];
  const anchorNames = new Set(anchors.map((anchor) => anchor.subject));
  const partial: X509Certificate[][] = [[leaf]];
  while (partial.length > 0) {
    const path = partial.shift()!;
    const current = path[path.length - 1]!;
    for (const { cert: candidate, anchor } of candidates) {
      if (!namesIssuer(candidate, current) || !keyIdsAgree(candidate, current)) continue;
      if (path.some((c) => sameSubjectAndKey(c, candidate))) continue;
      if (!anchor && path.length + 2 > MAX_PATH_CERTIFICATES) continue;
      if (budget.steps <= 0) {
        budget.exhausted = true;
        return;
      }
      budget.steps--;
      if (!(await links.signedBy(current, candidate))) continue;
      if (anchor) yield [...path, candidate];
      else if (anchorNames.has(candidate.issuer)) partial.unshift([...path, candidate]);
      else partial.push([...path, candidate]);
    }
  }
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

/** The same CA met again under another certificate (cross-certification, re-issuance) closes a loop. */
function sameSubjectAndKey(a: X509Certificate, b: X509Certificate): boolean {
  return a.subject === b.subject && Buffer.from(a.publicKey.rawData).equals(Buffer.from(b.publicKey.rawData));
}

/** Remembers each proved or disproved link, so that a link met on several branches costs one signature check. */
class LinkProver {
  readonly #known = new Map<X509Certificate, Map<X509Certificate, boolean>>();

  async signedBy(subject: X509Certificate, issuer: X509Certificate): Promise<boolean> {
    let issuers = this.#known.get(subject);
    if (!issuers) this.#known.set(subject, (issuers = new Map()));
    let proved = issuers.get(issuer);
    if (proved === undefined) {
      proved = await verifies(subject, issuer);
      issuers.set(issuer, proved);
    }
    return proved;
  }
}

async function verifies(subject: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await subject.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto as Crypto);
  } catch {
    // An algorithm WebCrypto cannot verify (or a broken key) proves nothing.
    return false;
  }
}
