// ============================================================================================
//  TEST MATERIAL — NEVER PRODUCTION.
//  A throw-away certificate authority for the test suite and the embedded demo: a root, an
//  intermediate that issues smart-card certificates, a delegated OCSP responder, and (through
//  keys/test-ca-responders.ts) live OCSP and CRL endpoints on 127.0.0.1. Every certificate it makes
//  carries TEST_CA_MARK in its subject O, which adapters/pki/trust-config.ts `usesTestAnchors`
//  detects so production refuses to start trusting it.
// ============================================================================================
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AuthorityInfoAccessExtension,
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  PublicKey,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509CrlGenerator,
} from '../adapters/pki/x509.js';
import { TEST_CA_MARK, type KeyUsageName, type RevocationPolicy, type TrustProfile } from '../adapters/pki/port.js';
import { NATIONAL_QUALIFIED_STATEMENTS, OID_QC_COMPLIANCE, OID_QC_SSCD, OID_QC_STATEMENTS, encodeQcStatements } from '../adapters/pki/qc-statements.js';
import { startTestCaResponders, type TestCaResponders } from './test-ca-responders.js';

export type { ResponderBehaviour, TestCaResponders } from './test-ca-responders.js';

const crypto = webcrypto as Crypto;
const CA_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export type TestCaIssuer = 'intermediate' | 'root';

export interface TestCaOptions {
  /** Prefix of the CA names (default "Kapi Test"). */
  name?: string;
  /** Keep the CA (keys and certificates) here and reuse it on the next start, so issued cards stay valid. */
  dir?: string;
}

export interface IssueLeafOptions {
  /** The card's public key: a WebCrypto key or SPKI DER. */
  publicKey: CryptoKey | Uint8Array;
  nationalId: string;
  givenName: string;
  familyName: string;
  profile: 'e-signature' | 'id-card';
  /** QCStatements QcCompliance + QcSSCD + national statement. Default: true for e-signature. */
  qualified?: boolean;
  /** Exact QCStatements identifiers (overrides `qualified`; [] writes an empty extension). */
  qcStatements?: string[];
  /** Default: id-card digitalSignature; e-signature nonRepudiation + digitalSignature. */
  keyUsage?: KeyUsageName[];
  notBefore?: Date;
  notAfter?: Date;
  issuer?: TestCaIssuer;
  /** Put the OCSP URL in the AIA (default true; needs startResponders first). */
  ocsp?: boolean;
  /** Put the CRL distribution point in (default true; needs startResponders first). */
  crl?: boolean;
  /**
   * Where the responders of this CA answer, for a leaf issued by a process that does not run them
   * (`kapi dev token` issues while the demo server serves them).
   */
  responderBaseUrl?: string;
}

export interface TestCaResponderOptions {
  /** Fixed port (the demo, so URLs in cards issued earlier keep working); random by default. */
  port?: number;
  /** Who signs OCSP answers for the intermediate: the intermediate itself (default) or a delegated responder. */
  ocspSigner?: 'issuer' | 'delegated';
}

export interface TestCa {
  readonly name: string;
  readonly rootDer: Uint8Array;
  readonly intermediateDer: Uint8Array;
  /** The delegated OCSP responder certificate (issued by the intermediate, id-kp-OCSPSigning). */
  readonly ocspResponderDer: Uint8Array;
  issueLeaf(options: IssueLeafOptions): Promise<Uint8Array>;
  /** Marks a serial (hex, as issued) revoked from now on, in OCSP answers and the next CRL. */
  revoke(serialHex: string): void;
  /** The current CRL of an issuer (DER), freshly signed. */
  crl(issuer?: TestCaIssuer): Promise<Uint8Array>;
  startResponders(options?: TestCaResponderOptions): Promise<TestCaResponders>;
  pem(der: Uint8Array): string;
  /** Writes root.pem and intermediate.pem; returns their paths. */
  writeAnchors(dir: string): Promise<{ root: string; intermediate: string }>;
  /** A profile that trusts this CA's root (intermediates come from the chain or `intermediates`). */
  trustProfile(
    name: 'e-signature' | 'id-card',
    overrides?: Partial<Omit<TrustProfile, 'revocation'>> & { revocation?: Partial<RevocationPolicy> },
  ): TrustProfile;
}

/** A certificate with its private key: what a CA needs to sign. */
export interface Authority {
  cert: X509Certificate;
  key: CryptoKey;
}

export interface TestCaAuthorities {
  root: Authority;
  intermediate: Authority;
  ocspResponder: Authority;
}

export async function createTestCa(options: TestCaOptions = {}): Promise<TestCa> {
  const name = options.name ?? 'Kapi Test';
  const authorities = options.dir ? await loadOrCreate(options.dir, name) : await createAuthorities(name);
  const revoked = new Map<string, Date>();
  const issuedBy = new Map<string, TestCaIssuer>();
  let baseUrl: string | undefined;

  const authorityOf = (issuer: TestCaIssuer): Authority => (issuer === 'root' ? authorities.root : authorities.intermediate);

  const crl = async (issuer: TestCaIssuer = 'intermediate'): Promise<Uint8Array> => {
    const ca = authorityOf(issuer);
    const now = new Date();
    const entries = [...revoked]
      .filter(([serial]) => (issuedBy.get(serial) ?? 'intermediate') === issuer)
      .map(([serialNumber, revocationDate]) => ({ serialNumber, revocationDate }));
    const list = await X509CrlGenerator.create(
      {
        issuer: ca.cert.subjectName,
        thisUpdate: new Date(now.getTime() - 60_000),
        nextUpdate: new Date(now.getTime() + 60 * 60 * 1000),
        entries,
        signingKey: ca.key,
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions: [await AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, crypto)],
      },
      crypto,
    );
    return new Uint8Array(list.rawData);
  };

  const ca: TestCa = {
    name,
    rootDer: derOf(authorities.root.cert),
    intermediateDer: derOf(authorities.intermediate.cert),
    ocspResponderDer: derOf(authorities.ocspResponder.cert),

    async issueLeaf(leaf) {
      const issuerName = leaf.issuer ?? 'intermediate';
      const issuer = authorityOf(issuerName);
      const publicKey = leaf.publicKey instanceof Uint8Array ? new PublicKey(new Uint8Array(leaf.publicKey)) : await PublicKey.create(leaf.publicKey, crypto);
      const serialNumber = randomSerial();
      const extensions: Extension[] = [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(keyUsageFlags(leaf.keyUsage ?? defaultLeafKeyUsage(leaf.profile)), true),
        await SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
        await AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey, false, crypto),
      ];
      const statements = leaf.qcStatements ?? ((leaf.qualified ?? leaf.profile === 'e-signature') ? qualifiedStatements() : undefined);
      if (statements) extensions.push(new Extension(OID_QC_STATEMENTS, false, encodeQcStatements(statements)));
      const responders = leaf.responderBaseUrl ?? baseUrl;
      if (responders && leaf.ocsp !== false) {
        extensions.push(new AuthorityInfoAccessExtension({ ocsp: `${responders}/ocsp`, caIssuers: `${responders}/ca/${issuerName}.cer` }));
      }
      if (responders && leaf.crl !== false) extensions.push(new CRLDistributionPointsExtension([`${responders}/crl/${issuerName}.crl`]));
      const now = Date.now();
      const cert = await X509CertificateGenerator.create(
        {
          serialNumber,
          subject: leafSubject(leaf),
          issuer: issuer.cert.subjectName,
          notBefore: leaf.notBefore ?? new Date(now - 60_000),
          notAfter: leaf.notAfter ?? new Date(now + 365 * DAY_MS),
          publicKey,
          signingKey: issuer.key,
          signingAlgorithm: SIGNING_ALGORITHM,
          extensions,
        },
        crypto,
      );
      issuedBy.set(cert.serialNumber.toLowerCase(), issuerName);
      return derOf(cert);
    },

    revoke(serialHex) {
      revoked.set(serialHex.toLowerCase(), new Date());
    },

    crl,

    async startResponders(responderOptions = {}) {
      const responders = await startTestCaResponders({
        authorities,
        port: responderOptions.port,
        ocspSigner: responderOptions.ocspSigner ?? 'issuer',
        revocationOf: (serialHex) => revoked.get(serialHex.toLowerCase()),
        crl,
      });
      baseUrl = responders.baseUrl;
      const close = responders.close;
      return {
        ...responders,
        close: async () => {
          baseUrl = undefined;
          await close();
        },
      };
    },

    pem(der) {
      return new X509Certificate(new Uint8Array(der)).toString('pem') + '\n';
    },

    async writeAnchors(dir) {
      await mkdir(dir, { recursive: true });
      const files = { root: path.join(dir, 'root.pem'), intermediate: path.join(dir, 'intermediate.pem') };
      await writeFile(files.root, ca.pem(ca.rootDer));
      await writeFile(files.intermediate, ca.pem(ca.intermediateDer));
      return files;
    },

    trustProfile(profileName, overrides = {}) {
      const { revocation, ...rest } = overrides;
      return {
        name: profileName,
        anchors: [ca.rootDer],
        requiredKeyUsage: profileName === 'id-card' ? ['digitalSignature'] : ['nonRepudiation'],
        requireQualified: profileName === 'e-signature',
        ...rest,
        revocation: { mode: 'fail-closed', timeoutMs: 2000, cacheSeconds: 300, ...revocation },
      };
    },
  };
  return ca;
}

function qualifiedStatements(): string[] {
  return [OID_QC_COMPLIANCE, OID_QC_SSCD, NATIONAL_QUALIFIED_STATEMENTS[0]!];
}

function defaultLeafKeyUsage(profile: IssueLeafOptions['profile']): KeyUsageName[] {
  return profile === 'id-card' ? ['digitalSignature'] : ['nonRepudiation', 'digitalSignature'];
}

function keyUsageFlags(names: KeyUsageName[]): KeyUsageFlags {
  return names.reduce((flags, usage) => flags | KeyUsageFlags[usage], 0 as KeyUsageFlags);
}

/** C=TR, serialNumber=<national id>, CN=<given family>: the shape of Turkish e-signature and ID card subjects. */
function leafSubject(leaf: IssueLeafOptions): Name {
  return new Name([
    { C: [{ printableString: 'TR' }] },
    { '2.5.4.5': [{ printableString: leaf.nationalId }] },
    { CN: [{ utf8String: `${leaf.givenName} ${leaf.familyName}` }] },
  ]);
}

function caSubject(commonName: string): Name {
  return new Name([{ C: [{ printableString: 'TR' }] }, { O: [{ utf8String: TEST_CA_MARK }] }, { CN: [{ utf8String: commonName }] }]);
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function derOf(cert: X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}

async function createAuthorities(name: string): Promise<TestCaAuthorities> {
  const now = Date.now();
  const rootKeys = await generateCaKeys();
  const rootCert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: caSubject(`${name} Root`),
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 20 * 365 * DAY_MS),
      keys: rootKeys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const root = { cert: rootCert, key: rootKeys.privateKey };

  const intermediateKeys = await generateCaKeys();
  const intermediate = {
    key: intermediateKeys.privateKey,
    cert: await issueByAuthority(root, intermediateKeys.publicKey, `${name} Intermediate`, 10 * 365 * DAY_MS, [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature, true),
    ]),
  };

  const responderKeys = await generateCaKeys();
  const ocspResponder = {
    key: responderKeys.privateKey,
    cert: await issueByAuthority(intermediate, responderKeys.publicKey, `${name} OCSP Responder`, 2 * 365 * DAY_MS, [
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.ocspSigning], false),
    ]),
  };
  return { root, intermediate, ocspResponder };
}

async function issueByAuthority(
  issuer: Authority,
  publicKey: CryptoKey,
  commonName: string,
  lifetimeMs: number,
  extensions: Extension[],
): Promise<X509Certificate> {
  const now = Date.now();
  return X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: caSubject(commonName),
      issuer: issuer.cert.subjectName,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + lifetimeMs),
      publicKey,
      signingKey: issuer.key,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        ...extensions,
        await SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
        await AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
}

async function generateCaKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(CA_KEY_ALGORITHM, true, ['sign', 'verify']);
}

const STORED = ['root', 'intermediate', 'ocspResponder'] as const;

/** The demo keeps its CA between starts; the private keys sit next to the certificates, as PKCS#8 PEM. */
async function loadOrCreate(dir: string, name: string): Promise<TestCaAuthorities> {
  try {
    const loaded: Partial<TestCaAuthorities> = {};
    for (const role of STORED) {
      const cert = new X509Certificate(await readFile(path.join(dir, `${role}.pem`), 'utf8'));
      const keyPem = await readFile(path.join(dir, `${role}.key.pem`), 'utf8');
      const keyDer = Buffer.from(keyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      loaded[role] = { cert, key: await crypto.subtle.importKey('pkcs8', keyDer, CA_KEY_ALGORITHM, true, ['sign']) };
    }
    return loaded as TestCaAuthorities;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const created = await createAuthorities(name);
  await mkdir(dir, { recursive: true });
  for (const role of STORED) {
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', created[role].key)).toString('base64');
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
    await writeFile(path.join(dir, `${role}.pem`), created[role].cert.toString('pem') + '\n');
    await writeFile(path.join(dir, `${role}.key.pem`), keyPem, { mode: 0o600 });
  }
  return created;
}
