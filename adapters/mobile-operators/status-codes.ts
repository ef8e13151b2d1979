// ETSI TS 102 204 status codes (§ "Status codes") and what each means for a login. Every code an MSSP
// can answer maps to one outcome; the login method turns outcomes into messages in the person's language.

export const STATUS_NAMES: Record<number, string> = {
  100: 'REQUEST_OK',
  101: 'WRONG_PARAM',
  102: 'MISSING_PARAM',
  103: 'WRONG_DATA_LENGTH',
  104: 'UNAUTHORIZED_ACCESS',
  105: 'UNKNOWN_CLIENT',
  107: 'INAPPROPRIATE_DATA',
  108: 'INCOMPATIBLE_INTERFACE',
  109: 'UNSUPPORTED_PROFILE',
  208: 'EXPIRED_TRANSACTION',
  209: 'OTA_ERROR',
  401: 'USER_CANCEL',
  402: 'PIN_NR_BLOCKED',
  403: 'CARD_BLOCKED',
  404: 'NO_KEY_FOUND',
  406: 'PB_SIGNATURE_PROCESS',
  422: 'NO_CERT_FOUND',
  500: 'SIGNATURE',
  501: 'REVOKED_CERTIFICATE',
  502: 'VALID_SIGNATURE',
  503: 'INVALID_SIGNATURE',
  504: 'OUTSTANDING_TRANSACTION',
  900: 'INTERNAL_ERROR',
};

/**
 * Business outcomes of a mobile-signature request that did not produce a signature. `operator_rejected`
 * is a request the MSSP refused for reasons on Kapı's side (credentials, parameters, profile): the
 * person can do nothing about it, the operator's configuration must be fixed (it is logged as an error).
 */
export type MssFailure =
  | 'no_mobile_signature'
  | 'user_cancel'
  | 'pin_blocked'
  | 'card_blocked'
  | 'no_key'
  | 'no_certificate'
  | 'certificate_revoked'
  | 'signature_failed'
  | 'invalid_signature'
  | 'phone_unreachable'
  | 'expired'
  | 'operator_rejected'
  | 'operator_error';

export type StatusMeaning = { kind: 'accepted' } | { kind: 'pending' } | { kind: 'signed' } | { kind: 'failed'; failure: MssFailure };

const FAILURES: Record<number, MssFailure> = {
  101: 'operator_rejected',
  102: 'operator_rejected',
  103: 'operator_rejected',
  104: 'operator_rejected',
  // TS 102 204: "the mobile user is unknown to the MSSP": this number has no mobile signature.
  105: 'no_mobile_signature',
  107: 'operator_rejected',
  108: 'operator_rejected',
  109: 'operator_rejected',
  208: 'expired',
  209: 'phone_unreachable',
  401: 'user_cancel',
  402: 'pin_blocked',
  403: 'card_blocked',
  404: 'no_key',
  406: 'signature_failed',
  422: 'no_certificate',
  501: 'certificate_revoked',
  503: 'invalid_signature',
  900: 'operator_error',
};

export function meaningOf(code: number): StatusMeaning {
  if (code === 100) return { kind: 'accepted' };
  if (code === 504) return { kind: 'pending' };
  // 502 VALID_SIGNATURE is the MSSP's opinion only: Kapı verifies the signature itself either way.
  if (code === 500 || code === 502) return { kind: 'signed' };
  return { kind: 'failed', failure: FAILURES[code] ?? 'operator_error' };
}

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `UNKNOWN_${code}`;
}
