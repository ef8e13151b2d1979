// Crafted certification paths for test/attacks/certificate-paths.test.ts: small CAs whose every field the
// test chooses (basicConstraints, keyUsage, validity, name and policy constraints, unknown extensions,
// shared keys for cross-certification), built with @peculiar/x509 through Kapı's own door to it. The
// extensions @peculiar/x509 has no class for are written as DER with asn1js, field by field from RFC 5280.
import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '../../adapters/pki/x509.js';
import { TEST_CA_MARK, type TrustProfile } from '../../adapters/pki/port.js';

const crypto = webcrypto as Crypto;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
export const DAY = 24 * 60 * 60 * 1000;
export const NATIONAL_ID = '10000000146';

/** An OID under the documentation arc no validator can know (RFC 7229 / 1.3.6.1.4.1.32473 is example-only). */
export const UNKNOWN_EXTENSION_OID = '1.3.6.1.4.1.32473.7.7';
export const TEST_POLICY_OID = '1.3.6.1.4.1.32473.1.1';

export interface Ca {
  cert: X509Certificate;
  der: Uint8Array;
  keys: CryptoKeyPair;
  subject: Name;
}

export interface CaOptions {
  commonName: string;
  /** The subject's C (default TR). */
  country?: string;
  /** Default: a CA without pathLenConstraint; 'absent' writes no basicConstraints at all. */
  basicConstraints?: { ca: boolean; pathLength?: number } | 'absent';
  /** Default keyCertSign + cRLSign; 'absent' writes no keyUsage. */
  keyUsage?: KeyUsageFlags | 'absent';
  notBefore?: Date;
  notAfter?: Date;
  extensions?: Extension[];
  /** Reuse a key pair: the same CA certified by another issuer (cross-certification). */
  keys?: CryptoKeyPair;
}

export interface LeafOptions {
  extensions?: Extension[];
  /** Sign with this key instead of the issuer's (a forged link: right names, wrong key). */
  signingKey?: CryptoKey;
  notBefore?: Date;
  notAfter?: Date;
}

export async function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** A self-signed root. */
export async function rootCa(options: CaOptions): Promise<Ca> {
  const keys = options.keys ?? (await newKeys());
  const subject = caName(options);
  return issue({ subject, keys }, subject, keys, options);
}

/** A CA certified by `issuer`. */
export async function subCa(issuer: Ca, options: CaOptions): Promise<Ca> {
  const keys = options.keys ?? (await newKeys());
  return issue(issuer, caName(options), keys, options);
}

/** A qualified-looking login certificate (C=TR, serialNumber, CN), nonRepudiation + digitalSignature. */
export async function leafOf(issuer: Ca, options: LeafOptions = {}): Promise<Uint8Array> {
  const keys = await newKeys();
  const now = Date.now();
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: new Name([{ C: [{ printableString: 'TR' }] }, { '2.5.4.5': [{ printableString: NATIONAL_ID }] }, { CN: [{ utf8String: 'Ayşe Yılmaz' }] }]),
      issuer: issuer.subject,
      notBefore: options.notBefore ?? new Date(now - 60_000),
      notAfter: options.notAfter ?? new Date(now + 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: options.signingKey ?? issuer.keys.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.nonRepudiation | KeyUsageFlags.digitalSignature, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey, false, crypto),
        ...(options.extensions ?? []),
      ],
    },
    crypto,
  );
  return new Uint8Array(cert.rawData);
}

/** A profile that trusts `root` only; revocation is off so that only the path decides. */
export function trusting(root: Ca, intermediates: Uint8Array[] = []): TrustProfile {
  return {
    name: 'e-signature',
    anchors: [root.der],
    intermediates,
    requiredKeyUsage: ['nonRepudiation'],
    requireQualified: false,
    revocation: { mode: 'off', timeoutMs: 1000, cacheSeconds: 0 },
  };
}

export function unknownExtension(critical: boolean): Extension {
  return new Extension(UNKNOWN_EXTENSION_OID, critical, new asn1js.Null().toBER());
}

/** RFC 5280 §4.2.1.10, directoryName subtrees only (the name form of Turkish certificate subjects). */
export function nameConstraints(subtrees: { permitted?: Name[]; excluded?: Name[] }): Extension {
  const trees = (tag: number, names: Name[]) =>
    new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: tag },
      value: names.map(
        (name) =>
          new asn1js.Sequence({
            // GeneralName directoryName [4]: Name is a CHOICE, so the tag is explicit.
            value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [asn1js.fromBER(name.toArrayBuffer()).result] })],
          }),
      ),
    });
  const value: asn1js.Constructed[] = [];
  if (subtrees.permitted) value.push(trees(0, subtrees.permitted));
  if (subtrees.excluded) value.push(trees(1, subtrees.excluded));
  return new Extension('2.5.29.30', true, new asn1js.Sequence({ value }).toBER());
}

/** A nameConstraints extension whose value is an INTEGER, not the SEQUENCE the RFC defines. */
export function unreadableNameConstraints(): Extension {
  return new Extension('2.5.29.30', true, new asn1js.Integer({ value: 5 }).toBER());
}

/** RFC 5280 §4.2.1.11: requireExplicitPolicy [0] SkipCerts. */
export function policyConstraints(requireExplicitPolicy: number): Extension {
  const skip = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: new Uint8Array([requireExplicitPolicy]).buffer });
  return new Extension('2.5.29.36', true, new asn1js.Sequence({ value: [skip] }).toBER());
}

/** RFC 5280 §4.2.1.4, policy identifiers without qualifiers. */
export function certificatePolicies(oids: string[]): Extension {
  const value = oids.map((oid) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] }));
  return new Extension('2.5.29.32', false, new asn1js.Sequence({ value }).toBER());
}

export function countryName(country: string): Name {
  return new Name([{ C: [{ printableString: country }] }]);
}

function caName(options: CaOptions): Name {
  return new Name([{ C: [{ printableString: options.country ?? 'TR' }] }, { O: [{ utf8String: TEST_CA_MARK }] }, { CN: [{ utf8String: options.commonName }] }]);
}

async function issue(issuer: Pick<Ca, 'subject' | 'keys'>, subject: Name, keys: CryptoKeyPair, options: CaOptions): Promise<Ca> {
  const now = Date.now();
  const extensions: Extension[] = [];
  const constraints = options.basicConstraints ?? { ca: true };
  if (constraints !== 'absent') extensions.push(new BasicConstraintsExtension(constraints.ca, constraints.pathLength, true));
  const usage = options.keyUsage ?? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign;
  if (usage !== 'absent') extensions.push(new KeyUsagesExtension(usage, true));
  extensions.push(await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto));
  if (issuer.keys !== keys) extensions.push(await AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey, false, crypto));
  extensions.push(...(options.extensions ?? []));
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: issuer.subject,
      notBefore: options.notBefore ?? new Date(now - DAY),
      notAfter: options.notAfter ?? new Date(now + 5 * 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions,
    },
    crypto,
  );
  return { cert, der: new Uint8Array(cert.rawData), keys, subject };
}

/** 16 random bytes, positive, no leading zero byte (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
