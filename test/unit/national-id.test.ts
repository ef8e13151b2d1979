import { describe, expect, it } from '@jest/globals';
import { checkDigits, looksForeign, validateNationalId } from '../../src/identity/national-id.js';

describe('validateNationalId', () => {
  it.each(['10000000146', '12345678950', '10090908018'])('accepts the valid citizen number %s', (number) => {
    expect(validateNationalId(number)).toEqual({ ok: true, number });
  });

  it('normalises a negative intermediate sum instead of rejecting the number', () => {
    // 100909080: (1+0+0+0+0)*7 - (0+9+9+8) = -19, and -19 mod 10 must be 1, not -9.
    expect(checkDigits(Array.from('100909080', Number))).toEqual([1, 8]);
  });

  it('trims spaces, including spaces between digit groups', () => {
    expect(validateNationalId('  100 000 001 46 ')).toEqual({ ok: true, number: '10000000146' });
  });

  it('rejects a wrong checksum', () => {
    expect(validateNationalId('12345678901')).toEqual({ ok: false, reason: 'checksum' });
    expect(validateNationalId('10000000147')).toEqual({ ok: false, reason: 'checksum' });
    expect(validateNationalId('10000000156')).toEqual({ ok: false, reason: 'checksum' });
  });

  it.each([
    ['a leading zero', '01234567890'],
    ['letters', '1000000014a'],
    ['only letters', 'abcdefghijk'],
    ['10 digits', '1000000014'],
    ['12 digits', '100000001460'],
    ['an empty string', ''],
    ['non-ASCII digits', '١٠٠٠٠٠٠٠١٤٦'],
  ])('rejects %s as a format error', (_label, input) => {
    expect(validateNationalId(input)).toEqual({ ok: false, reason: 'format' });
  });

  it('validates foreign (99…) numbers with the same checksum', () => {
    expect(validateNationalId('99234567106')).toEqual({ ok: true, number: '99234567106' });
    expect(validateNationalId('99876543292')).toEqual({ ok: true, number: '99876543292' });
    expect(validateNationalId('99234567107')).toEqual({ ok: false, reason: 'checksum' });
  });
});

describe('looksForeign', () => {
  it('recognises the 99 range and nothing else', () => {
    expect(looksForeign('99234567106')).toBe(true);
    expect(looksForeign('10000000146')).toBe(false);
    expect(looksForeign('19987654321')).toBe(false);
  });
});
