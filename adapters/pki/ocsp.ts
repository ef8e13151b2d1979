import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ExtendedKeyUsage, ExtendedKeyUsageExtension, X509Certificate } from './x509.js';
import { derOf, ownBytes, validityProblem } from './certificate.js';

// OCSP (RFC 6960) on the relying side: build the request for one certificate, then accept a response
// only when it is signed by the certificate's issuer or by a responder the issuer delegated to
// (id-kp-OCSPSigning, issued by that issuer, valid now), answers for exactly the CertID asked about, and
// is fresh. The request carries no nonce: responses are cached and shared between logins, and most CA
// responders serve pre-signed answers that ignore nonces anyway; freshness comes from thisUpdate/nextUpdate.

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as Crypto });

/** Clock difference tolerated between Kapı and the responder. */
const SKEW_MS = 5 * 60 * 1000;
/** A response without nextUpdate ("newer information is always available") is used this long at most. */
const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 60 * 60 * 1000;

export class OcspInvalid extends Error {
  override readonly name = 'OcspInvalid';
}

export interface OcspQuery {
  der: Uint8Array;
  certId: pkijs.CertID;
  /** Identifies the certificate asked about: issuer key hash + serial (a serial is unique per issuer only). */
  cacheKey: string;
}

export interface OcspAnswer {
  status: 'good' | 'revoked' | 'unknown';
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
}

export async function createOcspQuery(leaf: X509Certificate, issuer: X509Certificate): Promise<OcspQuery> {
  const request = new pkijs.OCSPRequest();
  // SHA-1 CertIDs are what every responder understands (RFC 5019 §2.1.1); the hash only names the
  // certificate, the response's signature is what is trusted.
  await request.createForCertificate(toPkijs(leaf), { hashAlgorithm: 'SHA-1', issuerCertificate: toPkijs(issuer) }, engine);
  const certId = request.tbsRequest.requestList[0]!.reqCert;
  const keyHash = Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView).toString('hex');
  return {
    der: new Uint8Array(request.toSchema(true).toBER(false)),
    certId,
    cacheKey: `${keyHash}:${leaf.serialNumber.toLowerCase()}`,
  };
}

/** Verifies a DER OCSPResponse for `query`; throws OcspInvalid when it cannot be relied upon. */
export async function readOcspResponse(der: Uint8Array, query: OcspQuery, issuer: X509Certificate, now: Date): Promise<OcspAnswer> {
  const basic = parseBasicResponse(der);
  const signer = await findAuthorizedSigner(basic, issuer, now);
  let signatureOk = false;
  try {
    signatureOk = await engine.verifyWithPublicKey(
      ownBytes(basic.tbsResponseData.tbsView),
      basic.signature,
      signer.subjectPublicKeyInfo,
      basic.signatureAlgorithm,
    );
  } catch (err) {
    throw new OcspInvalid(`response signature could not be checked: ${(err as Error).message}`);
  }
  if (!signatureOk) throw new OcspInvalid('response signature does not verify');

  const single = basic.tbsResponseData.responses.find((response) => response.certID.isEqual(query.certId));
  if (!single) throw new OcspInvalid('response does not answer for the certificate asked about');
  checkFreshness(single, now);
  const answer: OcspAnswer = { status: statusOf(single), thisUpdate: single.thisUpdate };
  if (single.nextUpdate) answer.nextUpdate = single.nextUpdate;
  if (answer.status === 'revoked') {
    const revokedAt = revocationTime(single);
    if (revokedAt) answer.revokedAt = revokedAt;
  }
  return answer;
}

function parseBasicResponse(der: Uint8Array): pkijs.BasicOCSPResponse {
  let response: pkijs.OCSPResponse;
  try {
    response = pkijs.OCSPResponse.fromBER(ownBytes(der));
  } catch {
    throw new OcspInvalid('not an OCSP response');
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw new OcspInvalid(`responder answered status ${status}`);
  if (!response.responseBytes || response.responseBytes.responseType !== pkijs.id_PKIX_OCSP_Basic) {
    throw new OcspInvalid('not a basic OCSP response');
  }
  try {
    return pkijs.BasicOCSPResponse.fromBER(ownBytes(response.responseBytes.response.valueBlock.valueHexView));
  } catch {
    throw new OcspInvalid('basic OCSP response does not parse');
  }
}

/** RFC 6960 §4.2.2.2: the issuing CA itself, or a certificate it issued for OCSP signing. */
async function findAuthorizedSigner(basic: pkijs.BasicOCSPResponse, issuer: X509Certificate, now: Date): Promise<pkijs.Certificate> {
  const responderId: unknown = basic.tbsResponseData.responderID;
  const issuerCert = toPkijs(issuer);
  if (matchesResponderId(issuerCert, responderId)) return issuerCert;
  for (const candidate of basic.certs ?? []) {
    if (!matchesResponderId(candidate, responderId)) continue;
    const delegated = new X509Certificate(candidate.toSchema().toBER(false));
    if (delegated.issuer !== issuer.subject) continue;
    if (validityProblem(delegated, now)) continue;
    const usages = delegated.getExtension(ExtendedKeyUsageExtension)?.usages ?? [];
    if (!usages.includes(ExtendedKeyUsage.ocspSigning)) continue;
    if (!(await delegated.verify({ publicKey: issuer.publicKey, signatureOnly: true }, webcrypto as Crypto).catch(() => false))) continue;
    return candidate;
  }
  throw new OcspInvalid('response is signed neither by the issuer nor by a responder it delegated to');
}

function matchesResponderId(cert: pkijs.Certificate, responderId: unknown): boolean {
  if (responderId instanceof pkijs.RelativeDistinguishedNames) return cert.subject.isEqual(responderId);
  if (responderId instanceof asn1js.OctetString) {
    // byKey: SHA-1 of the subjectPublicKey BIT STRING's value.
    const keyHash = createHash('sha1').update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    return keyHash.equals(Buffer.from(responderId.valueBlock.valueHexView));
  }
  return false;
}

function checkFreshness(single: pkijs.SingleResponse, now: Date): void {
  const at = now.getTime();
  if (single.thisUpdate.getTime() > at + SKEW_MS) throw new OcspInvalid('response thisUpdate is in the future');
  if (single.nextUpdate) {
    if (single.nextUpdate.getTime() < at - SKEW_MS) throw new OcspInvalid('response is past its nextUpdate');
  } else if (single.thisUpdate.getTime() < at - MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    throw new OcspInvalid('response without nextUpdate is too old');
  }
}

/** CertStatus ::= CHOICE { good [0], revoked [1], unknown [2] } */
function statusOf(single: pkijs.SingleResponse): OcspAnswer['status'] {
  const tag = (single.certStatus as asn1js.BaseBlock).idBlock?.tagNumber;
  if (tag === 0) return 'good';
  if (tag === 1) return 'revoked';
  if (tag === 2) return 'unknown';
  throw new OcspInvalid('response carries no certificate status');
}

function revocationTime(single: pkijs.SingleResponse): Date | undefined {
  const info = single.certStatus as asn1js.Constructed;
  const time = info.valueBlock?.value?.[0];
  return time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
}

export function toPkijs(cert: X509Certificate): pkijs.Certificate {
  return pkijs.Certificate.fromBER(ownBytes(derOf(cert)));
}
