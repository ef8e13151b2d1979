// ============================================================================================
//  SIMULATOR — NEVER PRODUCTION. The MSSP simulator's subscribers: test GSM numbers, whose SIM holds a
//  key for which person, and how "the person" behaves. The outcome is chosen by the number dialled.
// ============================================================================================

export type Behaviour =
  | 'approve' // signs after a short delay
  | 'manual' // waits for someone to press Approve or Reject on the simulator's dev page
  | 'user_cancel' // 401 USER_CANCEL
  | 'timeout' // nobody answers: 504 until TimeOut, then 208 EXPIRED_TRANSACTION
  | 'pin_blocked' // 402 PIN_NR_BLOCKED
  | 'card_blocked' // 403 CARD_BLOCKED
  | 'no_key' // 404 NO_KEY_FOUND
  | 'no_certificate' // 422 NO_CERT_FOUND
  | 'ota_error' // 209 OTA_ERROR (phone off, no signal)
  | 'mssp_revoked' // the MSSP itself answers 501 REVOKED_CERTIFICATE
  | 'revoked_certificate' // signs with a certificate the CA has revoked (only Kapı's own check notices)
  | 'other_person' // signs with a certificate of another person
  | 'invalid_signature' // a broken signature, reported as 502 VALID_SIGNATURE
  | 'wrong_data' // signs other data than what was sent
  | 'malformed' // the signature request is answered with something that is not SOAP
  | 'malformed_status' // accepted, then every status query is answered with something that is not SOAP
  | 'fault' // the status query is answered with a SOAP fault (mss:_406)
  | 'internal_error' // 900 INTERNAL_ERROR
  | 'slow'; // every answer takes `slowMs`, then approves

export interface Person {
  nationalId: string;
  givenName: string;
  familyName: string;
}

export interface Subscriber {
  /** Canonical 10-digit number (5XXXXXXXXX). */
  number: string;
  behaviour: Behaviour;
  /** Whose certificate the SIM holds. */
  person: Person;
}

const AYSE: Person = { nationalId: '10000000146', givenName: 'Ayşe', familyName: 'Yılmaz' };
const MEHMET: Person = { nationalId: '12345678950', givenName: 'Mehmet Ali', familyName: 'Öztürk' };
const GULSEN: Person = { nationalId: '34567891238', givenName: 'Gülşen', familyName: 'Aydın' };
const ZEYNEP: Person = { nationalId: '56789123416', givenName: 'Zeynep', familyName: 'Işık' };
const GULNARA: Person = { nationalId: '99234567106', givenName: 'Gülnara', familyName: 'Əliyeva' };

/** The demo and test numbers (README "Mobile signature"): 0530 000 00NN. */
export const DEFAULT_SUBSCRIBERS: Subscriber[] = [
  { number: '5300000001', behaviour: 'approve', person: AYSE },
  { number: '5300000002', behaviour: 'approve', person: MEHMET },
  { number: '5300000003', behaviour: 'approve', person: GULSEN },
  { number: '5300000004', behaviour: 'approve', person: GULNARA },
  { number: '5300000005', behaviour: 'approve', person: ZEYNEP },
  { number: '5300000010', behaviour: 'manual', person: AYSE },
  { number: '5300000011', behaviour: 'user_cancel', person: AYSE },
  { number: '5300000012', behaviour: 'timeout', person: AYSE },
  { number: '5300000013', behaviour: 'pin_blocked', person: AYSE },
  { number: '5300000014', behaviour: 'no_key', person: AYSE },
  { number: '5300000015', behaviour: 'revoked_certificate', person: AYSE },
  { number: '5300000016', behaviour: 'mssp_revoked', person: AYSE },
  { number: '5300000017', behaviour: 'other_person', person: AYSE },
  { number: '5300000018', behaviour: 'malformed', person: AYSE },
  { number: '5300000019', behaviour: 'fault', person: AYSE },
  { number: '5300000020', behaviour: 'slow', person: AYSE },
  { number: '5300000021', behaviour: 'invalid_signature', person: AYSE },
  { number: '5300000022', behaviour: 'card_blocked', person: AYSE },
  { number: '5300000023', behaviour: 'no_certificate', person: AYSE },
  { number: '5300000024', behaviour: 'ota_error', person: AYSE },
  { number: '5300000025', behaviour: 'internal_error', person: AYSE },
  { number: '5300000026', behaviour: 'wrong_data', person: AYSE },
  { number: '5300000027', behaviour: 'malformed_status', person: AYSE },
];

/** For `other_person`: the certificate belongs to someone else than the subscriber's person. */
export const OTHER_PERSON: Person = MEHMET;

/** Status code a failing behaviour ends with. */
export const FAILURE_CODES: Partial<Record<Behaviour, number>> = {
  user_cancel: 401,
  pin_blocked: 402,
  card_blocked: 403,
  no_key: 404,
  no_certificate: 422,
  ota_error: 209,
  mssp_revoked: 501,
  internal_error: 900,
};
