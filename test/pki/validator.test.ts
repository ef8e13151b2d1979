import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { CertificateVerdict, TrustProfile } from '../../adapters/pki/port.js';
import { NATIONAL_QUALIFIED_STATEMENTS, OID_QC_COMPLIANCE, OID_QC_SSCD } from '../../adapters/pki/qc-statements.js';
import { PkiValidator } from '../../adapters/pki/validator.js';
import { createTestCa, type IssueLeafOptions, type TestCa, type TestCaResponders } from '../../keys/test-ca.js';

// Certificate path validation against the test CA, with its real OCSP responder and CRL endpoint on
// 127.0.0.1: every refusal reason of the smart-card protocol, caching, and fail-closed/fail-open.

const NATIONAL_ID = '10000000146';
const DAY = 24 * 60 * 60 * 1000;

let ca: TestCa;
let responders: TestCaResponders;
let delegatedCa: TestCa;
let delegatedResponders: TestCaResponders;
let strangerCa: TestCa;
let strangerResponders: TestCaResponders;
let ecKey: CryptoKey;
let rsaKey: Uint8Array;

beforeAll(async () => {
  ca = await createTestCa();
  responders = await ca.startResponders();
  delegatedCa = await createTestCa({ name: 'Delegated Test' });
  delegatedResponders = await delegatedCa.startResponders({ ocspSigner: 'delegated' });
  strangerCa = await createTestCa(); // same names as `ca`, other keys: an untrusted look-alike
  strangerResponders = await strangerCa.startResponders();
  ecKey = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey;
  rsaKey = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
});

afterAll(async () => {
  await responders.close();
  await delegatedResponders.close();
  await strangerResponders.close();
});

afterEach(() => {
  responders.setBehaviour('normal');
});

function leaf(options: Partial<IssueLeafOptions> = {}, authority: TestCa = ca): Promise<Uint8Array> {
  return authority.issueLeaf({ publicKey: ecKey, nationalId: NATIONAL_ID, givenName: 'Ayşe', familyName: 'Yılmaz', profile: 'e-signature', ...options });
}

function eSignature(overrides: Partial<TrustProfile> = {}): TrustProfile {
  return { ...ca.trustProfile('e-signature'), ...overrides };
}

function idCard(overrides: Partial<TrustProfile> = {}): TrustProfile {
  return { ...ca.trustProfile('id-card'), ...overrides };
}

function reasonOf(verdict: CertificateVerdict): string {
  return verdict.ok ? 'ok' : verdict.reason;
}

describe('PkiValidator: accepted certificates', () => {
  it('accepts a qualified e-signature certificate with an EC key and reads the holder', async () => {
    const der = await leaf();
    const verdict = await new PkiValidator().validate(der, [ca.intermediateDer], eSignature());
    expect(verdict).toMatchObject({ ok: true, nationalId: NATIONAL_ID, holderName: 'Ayşe Yılmaz' });
    if (!verdict.ok) return;
    expect(verdict.subject).toContain(NATIONAL_ID);
    expect(verdict.issuer).toContain('Kapi Test Intermediate');
    expect(verdict.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(verdict.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(verdict.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it('accepts a qualified e-signature certificate with an RSA key', async () => {
    const der = await leaf({ publicKey: rsaKey });
    expect(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature())).toMatchObject({ ok: true, nationalId: NATIONAL_ID });
  });

  it('accepts an ID card authentication certificate', async () => {
    const der = await leaf({ profile: 'id-card' });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], idCard()))).toBe('ok');
  });

  it('keeps only the digits of a prefixed subject serialNumber', async () => {
    const der = await leaf({ nationalId: 'TCKN10000000146' });
    expect(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature())).toMatchObject({ ok: true, nationalId: NATIONAL_ID });
  });

  it('finds the intermediate in the chain, in the profile, or refuses without either', async () => {
    const der = await leaf();
    const validator = new PkiValidator();
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(reasonOf(await validator.validate(der, [], eSignature({ intermediates: [ca.intermediateDer] })))).toBe('ok');
    expect(reasonOf(await validator.validate(der, [], eSignature()))).toBe('untrusted');
  });

  it('accepts a chain that also carries the root, and a leaf issued by the root directly', async () => {
    const validator = new PkiValidator();
    expect(reasonOf(await validator.validate(await leaf(), [ca.rootDer, ca.intermediateDer], eSignature()))).toBe('ok');
    expect(reasonOf(await validator.validate(await leaf({ issuer: 'root' }), [], eSignature()))).toBe('ok');
  });

  it('accepts OCSP answers signed by a delegated responder', async () => {
    const der = await leaf({}, delegatedCa);
    const profile = { ...delegatedCa.trustProfile('e-signature'), intermediates: [delegatedCa.intermediateDer] };
    const before = delegatedResponders.requests.ocsp;
    expect(reasonOf(await new PkiValidator().validate(der, [], profile))).toBe('ok');
    expect(delegatedResponders.requests.ocsp).toBe(before + 1);
  });
});

describe('PkiValidator: refusals', () => {
  it('refuses an expired certificate', async () => {
    const der = await leaf({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('expired_certificate');
  });

  it('refuses a certificate that is not yet valid', async () => {
    const der = await leaf({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 400 * DAY) });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('not_yet_valid');
  });

  it('checks validity at the time it is asked for', async () => {
    const der = await leaf({ notAfter: new Date(Date.now() + 10 * DAY) });
    const later = new Date(Date.now() + 20 * DAY);
    const profile = eSignature({ revocation: { mode: 'off', timeoutMs: 1000, cacheSeconds: 0 } });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], profile, later))).toBe('expired_certificate');
  });

  it('refuses a certificate from another root, even one with the same names', async () => {
    const der = await leaf({}, strangerCa);
    expect(reasonOf(await new PkiValidator().validate(der, [strangerCa.intermediateDer], eSignature()))).toBe('untrusted');
    // The look-alike intermediate is not accepted in place of the real one either.
    expect(reasonOf(await new PkiValidator().validate(await leaf(), [strangerCa.intermediateDer], eSignature()))).toBe('untrusted');
  });

  it('refuses a certificate without the qualified statements for e-signature, not for the ID card', async () => {
    const der = await leaf({ qualified: false, keyUsage: ['digitalSignature', 'nonRepudiation'] });
    const validator = new PkiValidator();
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], eSignature()))).toBe('not_qualified');
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], idCard()))).toBe('ok');
  });

  it('refuses QcCompliance without a national qualified statement', async () => {
    const validator = new PkiValidator();
    const complianceOnly = await leaf({ qcStatements: [OID_QC_COMPLIANCE, OID_QC_SSCD] });
    expect(reasonOf(await validator.validate(complianceOnly, [ca.intermediateDer], eSignature()))).toBe('not_qualified');
    const nationalOnly = await leaf({ qcStatements: [NATIONAL_QUALIFIED_STATEMENTS[1]!] });
    expect(reasonOf(await validator.validate(nationalOnly, [ca.intermediateDer], eSignature()))).toBe('not_qualified');
    const second = await leaf({ qcStatements: [OID_QC_COMPLIANCE, NATIONAL_QUALIFIED_STATEMENTS[1]!] });
    expect(reasonOf(await validator.validate(second, [ca.intermediateDer], eSignature()))).toBe('ok');
  });

  it('refuses a signing-only (nonRepudiation) certificate for the ID card', async () => {
    const der = await leaf({ keyUsage: ['nonRepudiation'] });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], idCard()))).toBe('wrong_key_usage');
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
  });

  it('refuses an authentication-only certificate for e-signature', async () => {
    const der = await leaf({ keyUsage: ['digitalSignature'] });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('wrong_key_usage');
  });

  it('refuses a CA certificate presented as the login certificate', async () => {
    expect(reasonOf(await new PkiValidator().validate(ca.intermediateDer, [], eSignature()))).toBe('wrong_key_usage');
    expect(reasonOf(await new PkiValidator().validate(ca.rootDer, [], eSignature()))).toBe('wrong_key_usage');
  });

  it('answers malformed for bytes that are not a certificate, in the leaf or the chain', async () => {
    const validator = new PkiValidator();
    expect(reasonOf(await validator.validate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), [], eSignature()))).toBe('malformed');
    expect(reasonOf(await validator.validate(new Uint8Array(0), [], eSignature()))).toBe('malformed');
    expect(reasonOf(await validator.validate(await leaf(), [new Uint8Array([1, 2, 3])], eSignature()))).toBe('malformed');
  });
});

describe('PkiValidator: revocation', () => {
  it('refuses a certificate revoked per OCSP', async () => {
    const der = await leaf();
    const serial = await serialOf(der);
    ca.revoke(serial);
    const before = { ...responders.requests };
    const verdict = await new PkiValidator().validate(der, [ca.intermediateDer], eSignature());
    expect(verdict).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verdict.ok ? '' : verdict.detail).toContain('OCSP');
    expect(responders.requests.ocsp).toBe(before.ocsp + 1);
    expect(responders.requests.crl).toBe(before.crl);
  });

  it('refuses a certificate revoked per CRL when it names no OCSP responder', async () => {
    const der = await leaf({ ocsp: false });
    const validator = new PkiValidator();
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
    ca.revoke(await serialOf(der));
    const verdict = await new PkiValidator().validate(der, [ca.intermediateDer], eSignature());
    expect(verdict).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verdict.ok ? '' : verdict.detail).toContain('CRL');
  });

  it('checks a root-issued certificate against the root CRL', async () => {
    const der = await leaf({ issuer: 'root', ocsp: false });
    ca.revoke(await serialOf(der));
    expect(reasonOf(await new PkiValidator().validate(der, [], eSignature()))).toBe('revoked');
  });

  it('falls back to the CRL when the OCSP responder fails', async () => {
    const der = await leaf();
    responders.setBehaviour('error', 'ocsp');
    const before = responders.requests.crl;
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(responders.requests.crl).toBe(before + 1);
  });

  it.each(['reset', 'error', 'garbage', 'hang'] as const)('with every responder failing (%s): refuses fail-closed, accepts fail-open', async (behaviour) => {
    const der = await leaf();
    responders.setBehaviour(behaviour);
    const revocation = { timeoutMs: 300, cacheSeconds: 300 };
    const closed = await new PkiValidator().validate(der, [ca.intermediateDer], eSignature({ revocation: { mode: 'fail-closed', ...revocation } }));
    expect(reasonOf(closed)).toBe('revocation_unknown');
    const open = await new PkiValidator().validate(der, [ca.intermediateDer], eSignature({ revocation: { mode: 'fail-open', ...revocation } }));
    expect(reasonOf(open)).toBe('ok');
  });

  it('refuses fail-closed when the responders are not there at all', async () => {
    const gone = await createTestCa({ name: 'Gone Test' });
    const goneResponders = await gone.startResponders();
    const der = await leaf({}, gone);
    await goneResponders.close();
    const profile = { ...gone.trustProfile('e-signature'), intermediates: [gone.intermediateDer] };
    expect(reasonOf(await new PkiValidator().validate(der, [], profile))).toBe('revocation_unknown');
    expect(reasonOf(await new PkiValidator().validate(der, [], { ...profile, revocation: { ...profile.revocation, mode: 'fail-open' } }))).toBe('ok');
  });

  it('refuses fail-closed when the certificate names no revocation source', async () => {
    const der = await leaf({ ocsp: false, crl: false });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], eSignature()))).toBe('revocation_unknown');
  });

  it('does not trust an OCSP answer signed by another CA', async () => {
    const der = await leaf({ crl: false });
    // Every OCSP request is sent to the look-alike CA's responder, which signs with its own keys.
    const strangerUrl = strangerResponders.ocspUrl;
    const forwarding = (input: string, init?: RequestInit) => fetch(input.endsWith('/ocsp') ? strangerUrl : input, init);
    const verdict = await new PkiValidator({ fetch: forwarding }).validate(der, [ca.intermediateDer], eSignature());
    expect(verdict).toMatchObject({ ok: false, reason: 'revocation_unknown' });
  });

  it('does not ask anyone when revocation checking is off', async () => {
    const der = await leaf();
    responders.setBehaviour('reset');
    const before = { ...responders.requests };
    const profile = eSignature({ revocation: { mode: 'off', timeoutMs: 1000, cacheSeconds: 300 } });
    expect(reasonOf(await new PkiValidator().validate(der, [ca.intermediateDer], profile))).toBe('ok');
    expect(responders.requests).toEqual(before);
  });

  it('reuses a cached OCSP answer', async () => {
    const der = await leaf();
    const validator = new PkiValidator();
    const before = responders.requests.ocsp;
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(responders.requests.ocsp).toBe(before + 1);
  });

  it('reuses a cached CRL for other certificates of the same issuer', async () => {
    const first = await leaf({ ocsp: false });
    const second = await leaf({ ocsp: false });
    const validator = new PkiValidator();
    const before = responders.requests.crl;
    expect(reasonOf(await validator.validate(first, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(reasonOf(await validator.validate(second, [ca.intermediateDer], eSignature()))).toBe('ok');
    expect(responders.requests.crl).toBe(before + 1);
  });

  it('asks again once cacheSeconds have passed', async () => {
    const der = await leaf();
    let now = Date.now();
    const validator = new PkiValidator({ now: () => new Date(now) });
    const before = responders.requests.ocsp;
    const profile = eSignature({ revocation: { mode: 'fail-closed', timeoutMs: 2000, cacheSeconds: 60 } });
    await validator.validate(der, [ca.intermediateDer], profile);
    now += 30_000;
    await validator.validate(der, [ca.intermediateDer], profile);
    expect(responders.requests.ocsp).toBe(before + 1);
    now += 31_000 + 60_000;
    expect(reasonOf(await validator.validate(der, [ca.intermediateDer], profile, new Date()))).toBe('ok');
    expect(responders.requests.ocsp).toBe(before + 2);
  });
});

async function serialOf(der: Uint8Array): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  return new X509Certificate(der).serialNumber.toLowerCase();
}
