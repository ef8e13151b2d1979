import { describe, expect, it } from '@jest/globals';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RULES, checkPassword } from '../../src/accounts/password-rules.js';

const ayse = { nationalId: '10000000146', birthdate: '1985-04-12', givenName: 'Ayşe', familyName: 'Yılmaz' };

describe('password rules', () => {
  it('lists the rules in display order with the NIST length window', () => {
    expect(PASSWORD_RULES).toEqual(['too_short', 'too_long', 'common', 'repetitive', 'contains_identity_number', 'contains_birthdate', 'contains_name']);
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
  });

  it('accepts a good password without composition rules', () => {
    expect(checkPassword('mavi bisiklet ormanda', ayse)).toEqual([]);
    expect(checkPassword('kırmızıelmaağacı', ayse)).toEqual([]);
    expect(checkPassword('Tz7#kq2Lmw', ayse)).toEqual([]);
  });

  it('counts code points after normalisation, not UTF-16 units', () => {
    expect(checkPassword('çğışöüçğ')).not.toContain('too_short'); // 8 Turkish letters
    expect(checkPassword('😀😀🙂🙃😉😊😇'.slice(0, 14))).toContain('too_short'); // 7 emoji, 14 UTF-16 units
    expect(checkPassword('s\u0327ekerli c\u0327ay')).not.toContain('too_short'); // decomposed letters count once
  });

  it('enforces the length window', () => {
    expect(checkPassword('kX9#mq2')).toEqual(['too_short']);
    expect(checkPassword('kX9#mq2a')).toEqual([]);
    expect(checkPassword('a'.repeat(PASSWORD_MAX_LENGTH + 1))).toEqual(['too_long']);
    expect(checkPassword('kX9#mq2a'.repeat(16))).not.toContain('too_long'); // exactly 128
  });

  it.each([
    'password',
    'PASSWORD',
    'qwerty123',
    '123456789',
    'galatasaray',
    'Fenerbahçe1907',
    'beşiktaş',
    'besiktas1903',
    'şifre123',
    'SIFRE123',
    'ŞİFRE123',
    'türkiye',
    'istanbul34',
    'ANKARA06',
    'iloveyou',
    'seniseviyorum',
  ])('rejects the common password %s', (password) => {
    expect(checkPassword(password)).toContain('common');
  });

  it('rejects a common word with digits or symbols added at the end', () => {
    expect(checkPassword('galatasaray2019!')).toContain('common');
    expect(checkPassword('Fenerbahce.1907')).toContain('common');
    expect(checkPassword('galatasaraylı')).not.toContain('common');
  });

  it.each([
    'aaaaaaaa',
    'abababab',
    '11112222',
    'abcabcabc',
    'passpass',
    '12345678',
    '87654321',
    'abcdefgh',
    'HGFEDCBA',
    'qwertyui',
    'asdfghjkl',
    'zxcvbnmöç',
    '1234567890',
  ])('rejects the repetitive or sequential %s', (password) => {
    expect(checkPassword(password)).toContain('repetitive');
  });

  it('rejects the identity number and any 4-digit run of it', () => {
    expect(checkPassword('10000000146', ayse)).toContain('contains_identity_number');
    expect(checkPassword('elma0146armut', ayse)).toContain('contains_identity_number');
    expect(checkPassword('elma1000armut', ayse)).toContain('contains_identity_number');
    expect(checkPassword('elma146armut', ayse)).not.toContain('contains_identity_number');
    expect(checkPassword('elma 100 000 armut', ayse)).not.toContain('contains_identity_number');
  });

  it.each(['güneş1985deniz', 'güneş12041985', 'güneş12.04.1985', 'güneş120485', 'güneş12.04.85', 'güneş850412'])('rejects the birth date in %s', (password) => {
    expect(checkPassword(password, ayse)).toContain('contains_birthdate');
  });

  it('does not reject other dates', () => {
    expect(checkPassword('güneş12041986', ayse)).not.toContain('contains_birthdate');
    expect(checkPassword('güneş1204', ayse)).not.toContain('contains_birthdate');
  });

  it.each(['aysebahar99', 'AYŞEbahar99', 'bahar-yilmaz', 'baharYILMAZ', 'baharYılmaz'])('rejects the name in %s', (password) => {
    expect(checkPassword(password, ayse)).toContain('contains_name');
  });

  it('lowers Turkish I and İ the Turkish way', () => {
    const zeynep = { givenName: 'Zeynep', familyName: 'Işık' };
    expect(checkPassword('maviışık2000', zeynep)).toContain('contains_name');
    expect(checkPassword('MAVIIŞIK2000', zeynep)).toContain('contains_name');
    expect(checkPassword('maviisik2000', zeynep)).toContain('contains_name');
    const ismail = { givenName: 'İsmail', familyName: 'Güneş' };
    expect(checkPassword('İSMAİLbaba58', ismail)).toContain('contains_name');
    expect(checkPassword('ismailbaba58', ismail)).toContain('contains_name');
  });

  it('checks every part of a compound name but ignores very short parts', () => {
    expect(checkPassword('yeşilalibaba', { givenName: 'Mehmet Ali' })).toContain('contains_name');
    expect(checkPassword('sularsesler', { givenName: 'Su', familyName: 'Ay' })).toEqual([]);
  });

  it('reports every violation, in display order', () => {
    expect(checkPassword('ayse1985', ayse)).toEqual(['common', 'contains_birthdate', 'contains_name']);
    expect(checkPassword('0146', ayse)).toEqual(['too_short', 'contains_identity_number']);
  });

  it('works without context', () => {
    expect(checkPassword('mavi bisiklet ormanda')).toEqual([]);
  });
});
