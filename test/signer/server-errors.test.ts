import { describe, expect, it } from '@jest/globals';
import { DESCRIPTIONS } from '../../interactions/smart-card/signer-api.js';
import { message } from '../../src/signer/messages.js';
import { serverError } from '../../src/signer/protocol.js';

// kapi-signer tells the person what Kapı refused (issue 20 point 6): every error the signer API
// answers has its own message in both languages (none falls back to the generic "Kapı refused the
// request"), and a wrong card or certificate is told per sign-in type.

describe('kapi-signer: what Kapı refused, in words', () => {
  it.each(['not_yet_valid', 'malformed'])('%s has its own message in Turkish and English', (error) => {
    const refused = serverError(403, { error, error_description: 'x' });
    expect(refused.key).not.toBe('server_other');
    expect(refused.code).toBe(error);
    expect(message('tr', refused.key)).not.toContain(error);
    expect(message('en', refused.key)).not.toContain(error);
  });

  it('every error the signer API answers has a message of its own', () => {
    for (const error of Object.keys(DESCRIPTIONS)) {
      for (const profile of [undefined, 'e-signature', 'id-card'] as const) {
        expect([error, profile, serverError(error === 'too_many_requests' ? 429 : 403, { error }, profile).key]).not.toEqual([error, profile, 'server_other']);
      }
    }
  });

  it('an expired certificate and one not yet valid are told apart', () => {
    expect(message('tr', serverError(403, { error: 'expired_certificate' }).key)).toContain('süresi dolmuş');
    expect(message('tr', serverError(403, { error: 'not_yet_valid' }).key)).toContain('henüz geçerli değil');
    expect(message('en', serverError(403, { error: 'not_yet_valid' }).key)).toContain('not valid yet');
  });

  it('a wrong certificate is told per sign-in type: which certificate of which card, and which method suits the other card', () => {
    const eSignature = serverError(403, { error: 'wrong_key_usage' }, 'e-signature');
    expect(message('tr', eSignature.key)).toContain('e-İmza kartınızdaki nitelikli imza sertifikasını seçin');
    expect(message('tr', eSignature.key)).toContain('"T.C. Kimlik Kartı" yöntemini seçin');
    expect(message('en', eSignature.key)).toContain('choose the qualified signing certificate on your e-signature card');
    const idCard = serverError(403, { error: 'wrong_key_usage' }, 'id-card');
    expect(message('tr', idCard.key)).toContain('T.C. kimlik kartınızdaki kimlik doğrulama sertifikasını seçin');
    expect(message('en', idCard.key)).toContain('choose "e-Signature" in the browser');
    expect(message('tr', serverError(403, { error: 'untrusted' }, 'id-card').key)).toContain('T.C. kimlik kartı sertifikası değil');
    expect(message('tr', serverError(403, { error: 'untrusted' }, 'e-signature').key)).toContain('elektronik sertifika hizmet sağlayıcısından değil');
    expect(serverError(403, { error: 'wrong_key_usage' }, 'id-card').code).toBe('wrong_key_usage'); // --json keeps Kapı's code
  });
});
