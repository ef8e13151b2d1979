import { X509Certificate, constants, verify, type KeyObject } from 'node:crypto';

// Verifies the signature the smart-card signer made over the login challenge with the certificate's key.
// Every failure (bad certificate, wrong key type for the algorithm, wrong curve, wrong length, tampered
// data) is the single answer `false`: the caller reports `bad_signature` and needs no more detail.

export type SignatureAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384';

interface AlgorithmRule {
  hash: 'sha256' | 'sha384';
  keyTypes: readonly string[];
  /** EC only: the curve the key must be on (Node's name) and the raw r||s length. */
  curve?: string;
  rawLength?: number;
  pss?: boolean;
}

const RULES: Record<SignatureAlgorithm, AlgorithmRule> = {
  RS256: { hash: 'sha256', keyTypes: ['rsa'] },
  // An id-RSASSA-PSS key may only make PSS signatures, so it is accepted for PS256 alone.
  PS256: { hash: 'sha256', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  ES256: { hash: 'sha256', keyTypes: ['ec'], curve: 'prime256v1', rawLength: 64 },
  ES384: { hash: 'sha384', keyTypes: ['ec'], curve: 'secp384r1', rawLength: 96 },
};

export async function verifySignature(leafDer: Uint8Array, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    const rule = Object.hasOwn(RULES, algorithm) ? RULES[algorithm] : undefined;
    if (!rule || !(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    const key = new X509Certificate(leafDer).publicKey;
    if (!keyFits(key, rule)) return false;
    if (rule.rawLength !== undefined && signature.length !== rule.rawLength) return false;
    if (rule.pss) {
      return verify(rule.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    }
    if (rule.curve) return verify(rule.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(rule.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

function keyFits(key: KeyObject, rule: AlgorithmRule): boolean {
  if (!key.asymmetricKeyType || !rule.keyTypes.includes(key.asymmetricKeyType)) return false;
  if (rule.curve && key.asymmetricKeyDetails?.namedCurve !== rule.curve) return false;
  return true;
}
