// What people type for a mobile phone or an e-mail address, made canonical (or refused).

/**
 * A mobile number in E.164. Turkish numbers are accepted as people write them ("0532 111 22 33",
 * "532 111 2233", "+90 532 ..."); a Turkish number must be a mobile one (5xx). Other countries'
 * numbers must be written with their "+" country code.
 */
export function normalizePhone(input: string): string | undefined {
  const compact = input.replace(/[\s().-]/g, '');
  if (compact.length > 20) return undefined;
  let number: string;
  if (/^\+[1-9][0-9]{6,14}$/.test(compact)) number = compact;
  else if (/^00[1-9][0-9]{6,14}$/.test(compact)) number = `+${compact.slice(2)}`;
  else if (/^0?5[0-9]{9}$/.test(compact)) number = `+90${compact.replace(/^0/, '')}`;
  else return undefined;
  if (number.startsWith('+90') && !/^\+905[0-9]{9}$/.test(number)) return undefined;
  return number;
}

/** The number as shown: +90 532 111 22 33. */
export function formatPhone(phone: string): string {
  const tr = /^\+90(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(phone);
  return tr ? `+90 ${tr[1]} ${tr[2]} ${tr[3]} ${tr[4]}` : phone;
}

// Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. The code sent to the
// address is the real check.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The address with its domain lower-cased (the local part is the mail server's business), or undefined. */
export function normalizeEmail(input: string): string | undefined {
  const value = input.trim();
  if (value.length > 254 || !EMAIL.test(value)) return undefined;
  const at = value.lastIndexOf('@');
  return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
}
