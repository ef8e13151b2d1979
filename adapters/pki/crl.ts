import { webcrypto } from 'node:crypto';
import { X509Crl, type X509Certificate } from './x509.js';
import { mayIssueCrls, ownBytes } from './certificate.js';

// CRLs (RFC 5280 §5) on the relying side: a CRL fetched from the leaf's distribution point is used only
// when the leaf's issuer signed it, it is current (nextUpdate is mandatory for conforming CRLs), and it
// carries no critical extension Kapı does not process (delta CRLs, partitioned CRLs via
// issuingDistributionPoint): RFC 5280 forbids using such a CRL, and guessing its scope could miss a revocation.

const SKEW_MS = 5 * 60 * 1000;

export class CrlInvalid extends Error {
  override readonly name = 'CrlInvalid';
}

/** Parses and verifies a DER CRL issued by `issuer`; throws CrlInvalid when it cannot be relied upon. */
export async function readCrl(der: Uint8Array, issuer: X509Certificate, now: Date): Promise<X509Crl> {
  let crl: X509Crl;
  try {
    crl = new X509Crl(ownBytes(der));
    void crl.issuer;
    void crl.thisUpdate;
    void crl.nextUpdate;
    void crl.extensions;
  } catch {
    throw new CrlInvalid('not a CRL');
  }
  if (crl.issuer !== issuer.subject) throw new CrlInvalid(`CRL issued by "${crl.issuer}", not by "${issuer.subject}"`);
  if (!mayIssueCrls(issuer)) throw new CrlInvalid('issuer key usage does not allow CRL signing');
  const critical = crl.extensions.find((extension) => extension.critical);
  if (critical) throw new CrlInvalid(`CRL has a critical extension ${critical.type} that is not supported`);
  const signed = await crl.verify({ publicKey: issuer }, webcrypto as Crypto).catch(() => false);
  if (!signed) throw new CrlInvalid('CRL signature does not verify');
  if (crl.thisUpdate.getTime() > now.getTime() + SKEW_MS) throw new CrlInvalid('CRL thisUpdate is in the future');
  if (!crl.nextUpdate) throw new CrlInvalid('CRL has no nextUpdate');
  if (crl.nextUpdate.getTime() < now.getTime() - SKEW_MS) throw new CrlInvalid('CRL is past its nextUpdate');
  return crl;
}

/** Revoked or on hold: either way the certificate must not be used now. */
export function isListed(crl: X509Crl, cert: X509Certificate): boolean {
  return crl.findRevoked(cert.serialNumber) !== null;
}
