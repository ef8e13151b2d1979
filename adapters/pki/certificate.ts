import { createHash } from 'node:crypto';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate } from './x509.js';
import type { KeyUsageName } from './port.js';
import { OID_QC_STATEMENTS, meetsQualifiedRule, readQcStatementIds } from './qc-statements.js';

// Small readers over @peculiar/x509 certificates, shared by path validation, revocation and the validator.

const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_COMMON_NAME = '2.5.4.3';

/**
 * Parses DER strictly: @peculiar/x509 decodes lazily, so the fields every later step reads are touched
 * here, and a certificate that cannot be read fails now (as `malformed`) rather than halfway through.
 */
export function parseCertificate(der: Uint8Array): X509Certificate {
  if (!(der instanceof Uint8Array) || der.length === 0) throw new Error('certificate is not DER bytes');
  const cert = new X509Certificate(ownBytes(der));
  void cert.subject;
  void cert.issuer;
  void cert.serialNumber;
  void cert.notBefore;
  void cert.notAfter;
  void cert.extensions;
  void cert.publicKey;
  return cert;
}

/** A copy on its own ArrayBuffer, the shape WebCrypto-facing library signatures ask for. */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function derOf(cert: X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}

export function fingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(derOf(cert)).digest('hex');
}

export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

export type ValidityProblem = 'expired_certificate' | 'not_yet_valid';

export function validityProblem(cert: X509Certificate, at: Date): ValidityProblem | undefined {
  if (at.getTime() < cert.notBefore.getTime()) return 'not_yet_valid';
  if (at.getTime() > cert.notAfter.getTime()) return 'expired_certificate';
  return undefined;
}

export function isCa(cert: X509Certificate): boolean {
  return cert.getExtension(BasicConstraintsExtension)?.ca === true;
}

const KEY_USAGE_FLAGS: Record<KeyUsageName, KeyUsageFlags> = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  nonRepudiation: KeyUsageFlags.nonRepudiation,
};

/** True when the keyUsage extension is present and sets every required usage. */
export function hasKeyUsages(cert: X509Certificate, required: readonly KeyUsageName[]): boolean {
  const extension = cert.getExtension(KeyUsagesExtension);
  if (!extension) return false;
  return required.every((name) => (extension.usages & KEY_USAGE_FLAGS[name]) !== 0);
}

export function mayIssueCrls(cert: X509Certificate): boolean {
  const extension = cert.getExtension(KeyUsagesExtension);
  return !extension || (extension.usages & KeyUsageFlags.cRLSign) !== 0;
}

export function isQualified(cert: X509Certificate): boolean {
  const extension = cert.getExtension(OID_QC_STATEMENTS);
  if (!extension) return false;
  const ids = readQcStatementIds(extension.value);
  return ids !== undefined && meetsQualifiedRule(ids);
}

/**
 * The holder's national number from the subject serialNumber. Providers write it bare
 * ("10000000146") or with a prefix ("TCKN10000000146", ETSI's "PNOTR-10000000146"): only the digits count.
 */
export function nationalIdOf(cert: X509Certificate): string | undefined {
  const value = cert.subjectName.getField(OID_SERIAL_NUMBER)[0];
  const digits = value?.replace(/\D/g, '');
  return digits ? digits : undefined;
}

export function commonNameOf(cert: X509Certificate): string {
  return cert.subjectName.getField(OID_COMMON_NAME)[0] ?? '';
}
