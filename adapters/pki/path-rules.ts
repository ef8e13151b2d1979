import type * as pkijs from 'pkijs';
import { BasicConstraintsExtension, Name, type X509Certificate } from './x509.js';
import { validityProblem, type ValidityProblem } from './certificate.js';

// The RFC 5280 §6.1 checks that pkijs's CertificateChainValidationEngine (path-engine.ts) does not make,
// or makes more loosely than Kapı needs; each one is a named function citing the section it implements.
// A path here is the leaf first and the trust anchor last, each certificate read by both libraries.
// What pkijs checks itself (and these rules do not repeat): every link's signature and name chaining,
// basicConstraints cA and keyCertSign on every issuer, certificate policies with requireExplicitPolicy,
// inhibitPolicyMapping and inhibitAnyPolicy, and name constraints as it reads them.

export interface PathCertificate {
  x509: X509Certificate;
  pkijs: pkijs.Certificate;
}

export type PathProblem = { reason: 'untrusted' | ValidityProblem; detail: string };

/**
 * Extensions whose meaning Kapı's validation takes into account (pkijs's engine, the rules below, or the
 * validator's key usage and QCStatements checks); anything else marked critical refuses the path.
 * extKeyUsage is listed because RFC 5280 §4.2.1.12 binds its purposes whatever its criticality: marking
 * it critical changes nothing a validator has to do.
 */
const UNDERSTOOD_EXTENSIONS = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName (name constraints)
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints (revocation.ts)
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.36', // policyConstraints
  '2.5.29.37', // extKeyUsage
  '2.5.29.54', // inhibitAnyPolicy
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess (revocation.ts)
  '1.3.6.1.5.5.7.1.3', // qcStatements (qc-statements.ts)
]);

const OID_NAME_CONSTRAINTS = '2.5.29.30';
const GENERAL_NAME_DIRECTORY = 4;

function label(path: PathCertificate[], index: number): string {
  const role = index === 0 ? 'certificate' : index === path.length - 1 ? 'anchor' : 'intermediate';
  return `${role} "${path[index]!.x509.subject}"`;
}

/**
 * RFC 5280 §6.1.3(a)(2): every certificate of the path, the anchor's included (as configured, it is
 * still a certificate with dates), is valid at the validation time. The first problem from the leaf up
 * is reported, so an expired card reads as expired even when its CA has expired too.
 */
export function validityOfPath(path: PathCertificate[], at: Date): PathProblem | undefined {
  for (const [index, { x509 }] of path.entries()) {
    const problem = validityProblem(x509, at);
    if (!problem) continue;
    if (index === 0) {
      const edge = problem === 'expired_certificate' ? `expired ${x509.notAfter.toISOString()}` : `valid from ${x509.notBefore.toISOString()}`;
      return { reason: problem, detail: edge };
    }
    return { reason: problem, detail: `${label(path, index)} is ${problem === 'not_yet_valid' ? 'not yet valid' : 'expired'}` };
  }
  return undefined;
}

/**
 * RFC 5280 §6.1.4(o) and §6.1.5(f): a critical extension the validator does not process refuses the
 * certificate. pkijs only refuses a critical extension whose value is not valid DER, and only on
 * issuers, never on the leaf. The anchor is configuration (§6.1.1(d)): its extensions are not processed.
 */
export function unknownCriticalExtension(path: PathCertificate[]): PathProblem | undefined {
  for (const [index, { x509 }] of path.slice(0, -1).entries()) {
    const unknown = x509.extensions.find((extension) => extension.critical && !UNDERSTOOD_EXTENSIONS.has(extension.type));
    if (unknown) return { reason: 'untrusted', detail: `${label(path, index)} has an unknown critical extension ${unknown.type}` };
  }
  return undefined;
}

/**
 * The constraint extensions pkijs processes, and the anchor's name constraints honoured below: one whose
 * value cannot be read constrains nothing in pkijs (it keeps an empty value with a `parsingError`), so it
 * is treated as not understood (§6.1.4(o)) and refuses the path, whatever its criticality.
 */
const CONSTRAINT_EXTENSIONS: Record<string, string> = {
  '2.5.29.30': 'nameConstraints',
  '2.5.29.32': 'certificatePolicies',
  '2.5.29.33': 'policyMappings',
  '2.5.29.36': 'policyConstraints',
};

export function unreadableConstraint(path: PathCertificate[]): PathProblem | undefined {
  for (const [index, { pkijs: cert }] of path.entries()) {
    for (const extension of cert.extensions ?? []) {
      const name = CONSTRAINT_EXTENSIONS[extension.extnID];
      if (!name) continue;
      const value = extension.parsedValue as { parsingError?: string } | undefined;
      if (!value || value.parsingError) return { reason: 'untrusted', detail: `${label(path, index)} has a ${name} extension that cannot be read` };
    }
  }
  return undefined;
}

/**
 * RFC 5280 §4.2.1.9 and §6.1.4(l)(m): a CA's pathLenConstraint bounds the number of non-self-issued
 * intermediate CAs that may follow it in the path. pkijs reads basicConstraints but never this field.
 * The anchor's own constraint is honoured too (RFC 5937 lets a validator apply an anchor's constraints):
 * an operator who installs a root that says "leaves only" means it.
 */
export function pathLengthExceeded(path: PathCertificate[]): PathProblem | undefined {
  for (let issuer = 1; issuer < path.length; issuer++) {
    const limit = path[issuer]!.x509.getExtension(BasicConstraintsExtension)?.pathLength;
    if (limit === undefined) continue;
    const below = path.slice(1, issuer).filter(({ x509 }) => !isSelfIssued(x509)).length;
    if (below > limit) return { reason: 'untrusted', detail: `${label(path, issuer)} allows ${limit} CA(s) below it, the path has ${below}` };
  }
  return undefined;
}

/**
 * RFC 5280 §4.2.1.10 and §6.1.3(b)(c) for directoryName subtrees, the name form of Turkish certificate
 * subjects. Two points where pkijs is looser: it adds up the permitted subtrees of successive CAs (the RFC
 * intersects them: a subject must fit every CA's permitted names), and it lets a subtree match anywhere in
 * the subject (the RFC: the subtree is a prefix of the subject's RDN sequence). The anchor's constraints
 * apply (RFC 5937); self-issued intermediates are not checked against them (§6.1.3(b)), the leaf is.
 */
export function directoryNameOutsideConstraints(path: PathCertificate[]): PathProblem | undefined {
  for (let issuer = path.length - 1; issuer >= 1; issuer--) {
    const constraints = directoryConstraintsOf(path[issuer]!.pkijs);
    if (!constraints) continue;
    for (let subject = issuer - 1; subject >= 0; subject--) {
      const { x509 } = path[subject]!;
      if (subject > 0 && isSelfIssued(x509)) continue;
      const name = x509.subjectName.toJSON();
      if (name.length === 0) continue;
      if (constraints.permitted.length > 0 && !constraints.permitted.some((base) => isPrefix(base, name))) {
        return { reason: 'untrusted', detail: `${label(path, subject)} is outside the names ${label(path, issuer)} permits` };
      }
      if (constraints.excluded.some((base) => isPrefix(base, name))) {
        return { reason: 'untrusted', detail: `${label(path, subject)} is within names ${label(path, issuer)} excludes` };
      }
    }
  }
  return undefined;
}

type JsonName = ReturnType<Name['toJSON']>;

function directoryConstraintsOf(cert: pkijs.Certificate): { permitted: JsonName[]; excluded: JsonName[] } | undefined {
  const extension = cert.extensions?.find((e) => e.extnID === OID_NAME_CONSTRAINTS);
  if (!extension) return undefined;
  const value = extension.parsedValue as pkijs.NameConstraints | undefined;
  const directoryNames = (subtrees: pkijs.GeneralSubtree[] | undefined): JsonName[] =>
    (subtrees ?? [])
      .filter((subtree) => subtree.base.type === GENERAL_NAME_DIRECTORY)
      .map((subtree) => new Name((subtree.base.value as pkijs.RelativeDistinguishedNames).toSchema().toBER(false)).toJSON());
  return { permitted: directoryNames(value?.permittedSubtrees), excluded: directoryNames(value?.excludedSubtrees) };
}

/** RFC 5280 §7.1: RDN by RDN, attribute values compared after RFC 4518 preparation (simplified below). */
function isPrefix(base: JsonName, name: JsonName): boolean {
  if (base.length > name.length) return false;
  return base.every((rdn, index) => sameRdn(rdn, name[index]!));
}

function sameRdn(a: JsonName[number], b: JsonName[number]): boolean {
  const flatten = (rdn: JsonName[number]) =>
    Object.entries(rdn)
      .flatMap(([type, values]) => values.map((value) => `${type}=${prepared(value)}`))
      .sort();
  const left = flatten(a);
  const right = flatten(b);
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** RFC 4518's essentials for matching: compatibility normalisation, case folding, insignificant spaces. */
function prepared(value: string): string {
  return value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** RFC 5280 §6.1: self-issued means the subject and issuer names match (key rollover certificates). */
function isSelfIssued(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer;
}
