import { createHash, randomBytes } from 'node:crypto';

// What the phone signs and shows. The data to be signed names Kapı, the institution, the transaction
// and a nonce; the verification code is derived from its SHA-256 digest (the scheme of Estonia's
// Mobile-ID: the top 6 bits of the first byte, then the low 7 bits of the last byte, as 4 decimal
// digits), so it cannot be chosen by anyone and both screens show the same code only for this request.
//
// The text on the phone also says for which institution, at what time and from where (the place of the
// browser's address) the sign-in began, so a request an attacker started and relayed to someone's
// phone looks wrong to her (issue 25). Operators limit how much the phone shows: everything is fitted
// within the operator's limit, the code always whole.

export function verificationCode(digest: Uint8Array): string {
  const value = ((digest[0]! >> 2) << 7) | (digest[digest.length - 1]! & 0x7f);
  return String(value).padStart(4, '0');
}

/** The display limit used when an operator's entry does not set one (characters, not bytes). */
export const DEFAULT_DISPLAY_LIMIT = 120;
/** An institution's name is not cut shorter than this to make room for the place. */
const MIN_CLIENT_CHARS = 24;
/** Below this a place is no longer recognisable: it is left out instead. */
const MIN_PLACE_CHARS = 12;
/** The time is left out only when the institution would keep fewer characters than this. */
const MIN_CLIENT_WITH_TIME = 8;

const TEXTS = {
  tr: { lead: 'Kapı girişi', code: 'Doğrulama kodu', signed: 'Kapı ile oturum açma', local: 'yerel ağ' },
  en: { lead: 'Kapı sign-in', code: 'Verification code', signed: 'Kapı sign-in', local: 'local network' },
} as const;

export interface SigningText {
  dataToBeSigned: string;
  dataToBeDisplayed: string;
  code: string;
}

export interface SigningInput {
  transactionId: string;
  clientName: string;
  locale: 'tr' | 'en';
  at: Date;
  /** The place of the browser's address (adapters/geoip): a label, 'local', or undefined when unknown. */
  place?: string | undefined;
  /** The operator's limit on DataToBeDisplayed, in characters. */
  displayLimit?: number | undefined;
}

const length = (text: string) => [...text].length;

/** The text cut to `room` characters, the cut marked with an ellipsis. */
function shorten(text: string, room: number): string {
  const chars = [...text];
  return chars.length <= room
    ? text
    : `${chars
        .slice(0, Math.max(0, room - 1))
        .join('')
        .trimEnd()}…`;
}

/** HH:MM on the Istanbul clock (Türkiye has one time zone, UTC+3), as the person reads her phone. */
function clock(at: Date): string {
  return new Intl.DateTimeFormat('tr-TR', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Europe/Istanbul' }).format(at);
}

/**
 * `{lead}: {institution}. {time}, {place}. {code label}: {code}`, fitted within `limit`: first the
 * institution is shortened (down to a recognisable length), then the place; then the place is left
 * out, then the time, and the institution takes what remains. The code is never cut.
 */
function display(locale: 'tr' | 'en', clientName: string, time: string, place: string | undefined, code: string, limit: number): string {
  const t = TEXTS[locale];
  const compose = (client: string, when: string | undefined, where: string | undefined) =>
    `${t.lead}: ${client}${when !== undefined ? `. ${when}${where !== undefined ? `, ${where}` : ''}` : ''}. ${t.code}: ${code}`;
  /** Characters left for the institution and the place once the rest is written. */
  const room = (when: string | undefined, where: string | undefined) => limit - length(compose('', when, where === undefined ? undefined : ''));

  if (place !== undefined) {
    const free = room(time, place);
    if (length(clientName) + length(place) <= free) return compose(clientName, time, place);
    const clientRoom = Math.min(length(clientName), Math.max(MIN_CLIENT_CHARS, free - length(place)));
    const placeRoom = free - clientRoom;
    if (placeRoom >= MIN_PLACE_CHARS) return compose(shorten(clientName, clientRoom), time, shorten(place, placeRoom));
  }
  const withTime = room(time, undefined);
  if (withTime >= Math.min(MIN_CLIENT_WITH_TIME, length(clientName))) return compose(shorten(clientName, withTime), time, undefined);
  return compose(shorten(clientName, Math.max(1, room(undefined, undefined))), undefined, undefined);
}

export function signingText(input: SigningInput): SigningText {
  const texts = TEXTS[input.locale];
  const nonce = randomBytes(16).toString('base64url');
  const place = input.place === 'local' ? texts.local : input.place || undefined;
  const dataToBeSigned = [
    texts.signed,
    `service: ${input.clientName}`,
    `transaction: ${input.transactionId}`,
    `nonce: ${nonce}`,
    `time: ${input.at.toISOString()}`,
    ...(place ? [`from: ${place}`] : []),
  ].join('\n');
  const code = verificationCode(createHash('sha256').update(dataToBeSigned, 'utf8').digest());
  const dataToBeDisplayed = display(input.locale, input.clientName, clock(input.at), place, code, input.displayLimit ?? DEFAULT_DISPLAY_LIMIT);
  return { dataToBeSigned, dataToBeDisplayed, code };
}
