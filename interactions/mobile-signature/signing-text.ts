import { createHash, randomBytes } from 'node:crypto';

// What the phone signs and shows. The data to be signed names Kapı, the institution, the transaction
// and a nonce; the verification code is derived from its SHA-256 digest (the scheme of Estonia's
// Mobile-ID: the top 6 bits of the first byte, then the low 7 bits of the last byte, as 4 decimal
// digits), so it cannot be chosen by anyone and both screens show the same code only for this request.

export function verificationCode(digest: Uint8Array): string {
  const value = ((digest[0]! >> 2) << 7) | (digest[digest.length - 1]! & 0x7f);
  return String(value).padStart(4, '0');
}

const DISPLAY_LIMIT = 120;

const TEXTS = {
  tr: { display: (client: string, code: string) => `Kapı girişi: ${client}. Doğrulama kodu: ${code}`, signed: 'Kapı ile oturum açma' },
  en: { display: (client: string, code: string) => `Kapı sign-in: ${client}. Verification code: ${code}`, signed: 'Kapı sign-in' },
} as const;

export interface SigningText {
  dataToBeSigned: string;
  dataToBeDisplayed: string;
  code: string;
}

export function signingText(input: { transactionId: string; clientName: string; locale: 'tr' | 'en'; at: Date }): SigningText {
  const texts = TEXTS[input.locale];
  const nonce = randomBytes(16).toString('base64url');
  const dataToBeSigned = [texts.signed, `service: ${input.clientName}`, `transaction: ${input.transactionId}`, `nonce: ${nonce}`, `time: ${input.at.toISOString()}`].join('\n');
  const code = verificationCode(createHash('sha256').update(dataToBeSigned, 'utf8').digest());
  let display = texts.display(input.clientName, code);
  if ([...display].length > DISPLAY_LIMIT) {
    // Shorten the institution's name, never the code.
    const room = DISPLAY_LIMIT - [...texts.display('', code)].length - 1;
    display = texts.display(`${[...input.clientName].slice(0, Math.max(10, room)).join('')}…`, code);
  }
  return { dataToBeSigned, dataToBeDisplayed: display, code };
}
