import { readFile } from 'node:fs/promises';
import { X509Certificate } from './x509.js';
import { KapiError } from '../../src/errors.js';
import { ownBytes } from './certificate.js';
import type { KeyUsageName, RevocationPolicy, TrustProfile } from './port.js';
import { TEST_CA_MARK } from './port.js';

// Trust anchors are configuration: certificate providers' roots change over time and the national root
// is whatever the operator installs. A profile is built from files named in the configuration; a file that
// cannot be read or holds no certificate stops the start with the path in the message.

export interface TrustProfileSource {
  name: TrustProfile['name'];
  /** PEM (one or more certificates) or DER files with the trusted roots. */
  anchorFiles: string[];
  intermediateFiles?: string[];
  /** Defaults per profile name: e-signature nonRepudiation, id-card digitalSignature. */
  requiredKeyUsage?: KeyUsageName[];
  /** Defaults to true for e-signature, false otherwise. */
  requireQualified?: boolean;
  revocation?: Partial<RevocationPolicy>;
}

export const DEFAULT_REVOCATION: RevocationPolicy = { mode: 'fail-closed', timeoutMs: 5000, cacheSeconds: 300 };

export async function loadTrustProfile(source: TrustProfileSource): Promise<TrustProfile> {
  if (source.anchorFiles.length === 0) {
    throw new KapiError('config_invalid', `trust profile ${source.name}: no anchor files configured`, { profile: source.name });
  }
  const anchors = await readCertificateFiles(source.anchorFiles);
  const intermediates = await readCertificateFiles(source.intermediateFiles ?? []);
  const profile: TrustProfile = {
    name: source.name,
    anchors,
    requiredKeyUsage: source.requiredKeyUsage ?? defaultKeyUsage(source.name),
    requireQualified: source.requireQualified ?? source.name === 'e-signature',
    revocation: { ...DEFAULT_REVOCATION, ...source.revocation },
  };
  if (intermediates.length) profile.intermediates = intermediates;
  return profile;
}

/** ID card: the authentication key. e-signature: the qualified signing key. */
function defaultKeyUsage(name: string): KeyUsageName[] {
  return name === 'id-card' ? ['digitalSignature'] : ['nonRepudiation'];
}

export async function readCertificateFiles(paths: string[]): Promise<Uint8Array[]> {
  const certs: Uint8Array[] = [];
  for (const path of paths) certs.push(...(await readCertificateFile(path)));
  return certs;
}

export async function readCertificateFile(path: string): Promise<Uint8Array[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new KapiError('config_invalid', `cannot read certificate file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  try {
    return parseCertificates(bytes);
  } catch (err) {
    throw new KapiError('config_invalid', `certificate file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
}

/** Every certificate in a PEM text (any number of CERTIFICATE blocks) or a single DER certificate. */
export function parseCertificates(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  const ders: Uint8Array[] = [];
  if (text.includes('-----BEGIN')) {
    const blocks = text.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g);
    for (const block of blocks) ders.push(new Uint8Array(Buffer.from(block[1]!.replace(/\s+/g, ''), 'base64')));
    if (ders.length === 0) throw new Error('no CERTIFICATE block in the PEM text');
  } else {
    ders.push(new Uint8Array(bytes));
  }
  for (const der of ders) {
    try {
      new X509Certificate(ownBytes(der));
    } catch {
      throw new Error('holds something that is not an X.509 certificate');
    }
  }
  return ders;
}

/** For the production start check: does this profile trust the test CA (keys/test-ca.ts)? */
export function usesTestAnchors(profile: TrustProfile): boolean {
  return [...profile.anchors, ...(profile.intermediates ?? [])].some((der) => {
    try {
      return new X509Certificate(ownBytes(der)).subjectName.getField('O').includes(TEST_CA_MARK);
    } catch {
      return false;
    }
  });
}
