import { describe, expect, it } from '@jest/globals';
import { CKR, SignerError, mapPkcs11Error } from '../../src/signer/errors.js';
import { message, messageCatalog, type MessageKey } from '../../src/signer/messages.js';
import { checkChallenge, normaliseCode, parseServerUrl, serverError } from '../../src/signer/protocol.js';
import { matchCertificate } from '../../src/signer/selection.js';
import type { TokenCertificate } from '../../src/signer/pkcs11-session.js';

// The signer's pure parts, without a token: SoftHSM never locks a user PIN, so CKR_PIN_LOCKED is
// checked here through the error mapper, together with codes, URLs, challenges and messages.

function pkcs11Error(code: number, name: string): Error {
  return Object.assign(new Error(name), { code });
}

describe('mapPkcs11Error', () => {
  it.each([
    [CKR.PIN_INCORRECT, 'CKR_PIN_INCORRECT', 'pin_incorrect'],
    [CKR.PIN_INVALID, 'CKR_PIN_INVALID', 'pin_incorrect'],
    [CKR.PIN_LEN_RANGE, 'CKR_PIN_LEN_RANGE', 'pin_incorrect'],
    [CKR.PIN_LOCKED, 'CKR_PIN_LOCKED', 'pin_locked'],
    [CKR.FUNCTION_CANCELED, 'CKR_FUNCTION_CANCELED', 'cancelled'],
    [CKR.TOKEN_NOT_PRESENT, 'CKR_TOKEN_NOT_PRESENT', 'token_error'],
  ])('maps 0x%s (%s) to %s', (code, name, reason) => {
    const error = mapPkcs11Error(pkcs11Error(code, name));
    expect(error.reason).toBe(reason);
    expect(error.exitCode).toBe(1);
  });

  it('says in Turkish (and English on request) that a locked PIN needs the PUK', () => {
    const error = mapPkcs11Error(pkcs11Error(0xa4, 'CKR_PIN_LOCKED'));
    expect(message('tr', error.key, error.params)).toMatch(/PIN bloke.*PUK/);
    expect(message('en', error.key, error.params)).toMatch(/blocked.*PUK/);
  });

  it('keeps the CKR name of other failures for support', () => {
    const error = mapPkcs11Error(pkcs11Error(0x30, 'CKR_DEVICE_ERROR'));
    expect(message('tr', error.key, error.params)).toBe('Kartla iletişimde hata: CKR_DEVICE_ERROR');
  });
});

describe('transaction codes', () => {
  it('accepts any case, with or without the dash or spaces', () => {
    expect(normaliseCode('kmrt-4a9x')).toBe('KMRT4A9X');
    expect(normaliseCode(' KMRT 4A9X ')).toBe('KMRT4A9X');
  });

  it('refuses codes outside the alphabet or of the wrong length before any request', () => {
    for (const bad of ['KMRT-4A9', 'KMRT-4A9XX', 'KMRT-4A0X', 'BMRT-4A9X', 'KMRT/4A9X']) {
      expect(() => normaliseCode(bad)).toThrow(SignerError);
    }
  });
});

describe('server URL', () => {
  it('allows https anywhere and http only on this computer', () => {
    for (const ok of ['https://giris.example.gov.tr', 'https://example.gov.tr/kapi', 'http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      expect(parseServerUrl(ok)).toBeInstanceOf(URL);
    }
    for (const [bad, key] of [
      ['http://giris.example.gov.tr', 'insecure_server'],
      ['http://127.0.0.2', 'insecure_server'],
      ['ftp://localhost', 'bad_server_url'],
      ['https://user:pw@example.gov.tr', 'bad_server_url'],
      ['not a url', 'bad_server_url'],
    ] as const) {
      expect(() => parseServerUrl(bad)).toThrow(expect.objectContaining({ key }));
    }
  });
});

describe('challenge check', () => {
  const server = parseServerUrl('https://giris.example.gov.tr/');
  const challenge = (claims: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({ purpose: 'kapi-smart-card-login', iss: 'https://giris.example.gov.tr', txn: 't1', nonce: 'n', iat: 1, profile: 'id-card', ...claims }),
    );

  it('accepts a Kapı login challenge for this transaction from this server', () => {
    expect(() => checkChallenge(challenge({}), server, 't1', 'id-card')).not.toThrow();
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example' }, 't1', 'id-card'],
    ['another purpose', { purpose: 'document-signature' }, 't1', 'id-card'],
    ['another transaction', {}, 't2', 'id-card'],
    ['another profile', {}, 't1', 'e-signature'],
  ] as const)('refuses %s', (_what, claims, txn, profile) => {
    expect(() => checkChallenge(challenge(claims), server, txn, profile)).toThrow(expect.objectContaining({ key: 'challenge_mismatch' }));
  });

  it('refuses bytes that are not JSON (a document hash, say)', () => {
    expect(() => checkChallenge(Buffer.alloc(32, 7), server, 't1', 'id-card')).toThrow(expect.objectContaining({ key: 'challenge_mismatch' }));
  });
});

describe('server errors', () => {
  it('maps each protocol error to its own message and keeps the code for --json', () => {
    const expired = serverError(410, { error: 'transaction_expired' });
    expect(expired.code).toBe('transaction_expired');
    expect(message('tr', expired.key)).toContain('süresi doldu');
    expect(message('tr', serverError(400, { error: 'number_mismatch' }).key)).toContain('kimlik numarası');
    expect(serverError(429, undefined).key).toBe('too_many_requests');
    const other = serverError(400, { error: 'something_new', error_description: 'details' });
    expect(message('en', other.key, other.params)).toBe('Kapı refused the request (something_new). details');
  });
});

describe('messages', () => {
  it('has every message in both languages with the same placeholders', () => {
    for (const [key, texts] of Object.entries(messageCatalog) as [MessageKey, { tr: string; en: string }][]) {
      expect(texts.tr.trim()).not.toBe('');
      expect(texts.en.trim()).not.toBe('');
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect([key, names(texts.tr)]).toEqual([key, names(texts.en)]);
    }
  });
});

describe('--cert matching', () => {
  const cert = (label: string, idHex: string) => ({ label, idHex }) as TokenCertificate;
  const certs = [cert('Kimlik Doğrulama', '01'), cert('2', 'a1b2'), cert('e-İmza', '03')];

  it('prefers an exact label, then the number, then the hex id', () => {
    expect(matchCertificate(certs, 'e-İmza')).toBe(certs[2]);
    expect(matchCertificate(certs, '2')).toBe(certs[1]); // a label "2" wins over the second entry
    expect(matchCertificate(certs, '3')).toBe(certs[2]);
    expect(matchCertificate(certs, '01')).toBe(certs[0]);
    expect(matchCertificate(certs, 'A1:B2')).toBe(certs[1]);
    expect(matchCertificate(certs, '0x03')).toBe(certs[2]);
    expect(matchCertificate(certs, 'nope')).toBeUndefined();
  });
});
