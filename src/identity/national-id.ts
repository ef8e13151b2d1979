// National identity numbers (T.C. Kimlik No for citizens and blue card holders, YKN for foreigners).
// The checksum proves only that a number is well formed; whether a person holds it is a question for the
// population registry. The type of identity is kept apart from the number: a blue card holder keeps a
// citizen-shaped number, so the number alone cannot tell citizen from blue card holder.

export type NationalIdType = 'citizen' | 'blue_card' | 'foreigner';

export type NationalIdCheck = { ok: true; number: string } | { ok: false; reason: 'format' | 'checksum' };

const ELEVEN_DIGITS = /^[1-9][0-9]{10}$/;

// People paste numbers copied from documents that group digits ("100 000 001 46") or carry stray tabs.
const SPACING = /[\s\u00a0]+/g;

/** JavaScript's % keeps the sign of the dividend; the checksum needs the mathematical modulo. */
function mod10(value: number): number {
  return ((value % 10) + 10) % 10;
}

/** The two check digits (10th and 11th) computed from the first nine digits. */
export function checkDigits(firstNine: readonly number[]): [number, number] {
  const [d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0, d8 = 0, d9 = 0] = firstNine;
  const odd = d1 + d3 + d5 + d7 + d9;
  const even = d2 + d4 + d6 + d8;
  const tenth = mod10(odd * 7 - even);
  const eleventh = mod10(odd + even + tenth);
  return [tenth, eleventh];
}

export function validateNationalId(input: string): NationalIdCheck {
  const number = input.replace(SPACING, '');
  if (!ELEVEN_DIGITS.test(number)) return { ok: false, reason: 'format' };
  const digits = Array.from(number, Number);
  const [tenth, eleventh] = checkDigits(digits.slice(0, 9));
  if (digits[9] !== tenth || digits[10] !== eleventh) return { ok: false, reason: 'checksum' };
  return { ok: true, number };
}

/**
 * Foreign identification numbers (YKN) are issued from a separate range starting with 99. This is only a
 * hint for forms and messages; the identity type always comes from the registry.
 */
export function looksForeign(number: string): boolean {
  return number.startsWith('99');
}
