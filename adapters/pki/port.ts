// The certificate port: checks that a certificate posted by the smart-card signer (or returned by a
// mobile-signature operator) chains to a configured trust anchor, is valid now, has the key usage and
// qualified status the login method demands, and is not revoked. The validator answers with a verdict,
// never an exception: every refusal is a business outcome the method turns into a message.

export type KeyUsageName = 'digitalSignature' | 'nonRepudiation';

export type RevocationMode = 'fail-closed' | 'fail-open' | 'off';

export interface RevocationPolicy {
  /** What an unreachable, slow or garbled responder means: refuse (`fail-closed`), accept (`fail-open`), or do not ask (`off`). */
  mode: RevocationMode;
  /** Per HTTP request to an OCSP responder or CRL distribution point. */
  timeoutMs: number;
  /** Upper bound on how long a response is reused (never past its own nextUpdate). */
  cacheSeconds: number;
}

/** One set of trust anchors and the rules for one login method (e-signature and ID card are separate). */
export interface TrustProfile {
  name: 'e-signature' | 'id-card' | (string & {});
  /** DER-encoded trusted roots. */
  anchors: Uint8Array[];
  /** DER-encoded intermediates known in advance (the signer may also post them in its chain). */
  intermediates?: Uint8Array[];
  /** Every listed usage must be set in the leaf's keyUsage extension. */
  requiredKeyUsage: KeyUsageName[];
  /** QCStatements must hold QcCompliance and one of the national qualified statements. */
  requireQualified: boolean;
  revocation: RevocationPolicy;
}

export type CertificateRefusal =
  | 'malformed'
  | 'untrusted'
  | 'expired_certificate'
  | 'not_yet_valid'
  | 'revoked'
  | 'revocation_unknown'
  | 'not_qualified'
  | 'wrong_key_usage';

export interface AcceptedCertificate {
  ok: true;
  /** Digits of the subject serialNumber (2.5.4.5), prefixes such as "TCKN" dropped; undefined when absent. */
  nationalId: string | undefined;
  subject: string;
  issuer: string;
  /** Lower-case hex, as encoded in the certificate. */
  serialNumber: string;
  notAfter: Date;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  /** The subject CN. */
  holderName: string;
}

export interface RefusedCertificate {
  ok: false;
  reason: CertificateRefusal;
  /** For logs and audit, never shown to the person. */
  detail?: string;
}

export type CertificateVerdict = AcceptedCertificate | RefusedCertificate;

export interface CertificateValidator {
  /**
   * @param leafDer the certificate whose key made the signature
   * @param chainDer intermediates the client sent along (untrusted hints; order does not matter)
   * @param at the moment the certificates must be valid at (default: now)
   */
  validate(leafDer: Uint8Array, chainDer: Uint8Array[], profile: TrustProfile, at?: Date): Promise<CertificateVerdict>;
}

/**
 * Every certificate of the test CA (keys/test-ca.ts) carries this in its subject's O attribute, so the
 * composition root can refuse to run production with test anchors (see trust-config.ts).
 */
export const TEST_CA_MARK = 'Kapi TEST CA - not for production';
