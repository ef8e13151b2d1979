import { timingSafeEqual, webcrypto } from 'node:crypto';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ownBytes } from './certificate.js';

// CMS SignedData (RFC 5652) on the relying side: the signature a mobile-signature operator returns
// (PKCS#7 / CMS with the signer certificate). Checked here: it is one SignedData with one signer, the
// signed content (attached or detached) is exactly the data Kapı asked to be signed, the signed
// attributes' message digest matches it, and the signature verifies with the certificate's key. Whether
// that certificate may be trusted (chain, validity, key usage, revocation) is the CertificateValidator's
// question: the caller passes `signerCertificate` and `certificates` on to it.

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as Crypto });
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

export type CmsRefusal = 'malformed' | 'content_mismatch' | 'bad_signature';

export type CmsVerdict =
  | { ok: true; signerCertificate: Uint8Array; certificates: Uint8Array[]; signingTime?: Date }
  | { ok: false; reason: CmsRefusal; detail: string };

export async function verifyCmsSignature(cmsDer: Uint8Array, expectedContent: Uint8Array): Promise<CmsVerdict> {
  let signed: pkijs.SignedData;
  try {
    const info = pkijs.ContentInfo.fromBER(ownBytes(cmsDer));
    if (info.contentType !== OID_SIGNED_DATA) return refuse('malformed', `content type ${info.contentType} is not signedData`);
    signed = new pkijs.SignedData({ schema: info.content });
  } catch (err) {
    return refuse('malformed', `not a CMS SignedData: ${(err as Error).message}`);
  }
  if (signed.signerInfos.length !== 1) return refuse('malformed', `${signed.signerInfos.length} signers, expected exactly one`);

  const attached = contentOf(signed.encapContentInfo.eContent);
  if (attached && !sameBytes(attached, expectedContent)) return refuse('content_mismatch', 'the signed content is not the data Kapı sent');

  const certificates = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  if (certificates.length === 0) return refuse('malformed', 'no certificate in the SignedData');

  let result: pkijs.SignedDataVerifyResult;
  try {
    const params: pkijs.SignedDataVerifyParams & { extendedMode: true } = { signer: 0, checkChain: false, extendedMode: true };
    if (!attached) params.data = ownBytes(expectedContent).buffer;
    result = await signed.verify(params, engine);
  } catch (err) {
    const failure = err as Partial<pkijs.SignedDataVerifyResult> & { message?: string };
    if (failure.signerCertificate === null || /signer certificate/i.test(failure.message ?? ''))
      return refuse('malformed', `signer certificate not in the SignedData: ${failure.message ?? ''}`);
    return refuse('bad_signature', failure.message ?? String(err));
  }
  if (!result.signatureVerified || !result.signerCertificate) return refuse('bad_signature', result.message || 'signature does not verify');

  const signer = result.signerCertificate;
  const signerDer = new Uint8Array(signer.toSchema().toBER(false));
  const others = certificates.filter((c) => c !== signer).map((c) => new Uint8Array(c.toSchema().toBER(false)));
  const verdict: CmsVerdict = { ok: true, signerCertificate: signerDer, certificates: others };
  const time = signingTimeOf(signed.signerInfos[0]!);
  if (time) verdict.signingTime = time;
  return verdict;
}

function contentOf(octets: asn1js.OctetString | undefined): Uint8Array | undefined {
  if (!octets) return undefined;
  return new Uint8Array(octets.getValue());
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function signingTimeOf(signer: pkijs.SignerInfo): Date | undefined {
  const attribute = signer.signedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.5');
  const value = attribute?.values[0] as { toDate?: () => Date } | undefined;
  return typeof value?.toDate === 'function' ? value.toDate() : undefined;
}

function refuse(reason: CmsRefusal, detail: string): CmsVerdict {
  return { ok: false, reason, detail };
}
