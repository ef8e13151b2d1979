import type { MessageKey, MessageParams } from './messages.js';

// One error type for the whole signer: it names the message to show (rendered in the chosen language
// only at the end), the machine code for --json, the exit code, and, when the card is at fault, the
// reason to report to Kapı so the waiting browser page can say what happened too.

/** The reasons the protocol's failure endpoint accepts. */
export type FailureReason = 'pin_incorrect' | 'pin_locked' | 'cancelled' | 'no_certificate' | 'token_error';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class SignerError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: MessageParams = {},
    readonly options: { code?: string; reason?: FailureReason; exitCode?: number } = {},
  ) {
    super(key);
    this.name = 'SignerError';
  }

  /** Machine-readable code (--json): the server's error, the failure reason, or the message key. */
  get code(): string {
    return this.options.code ?? this.options.reason ?? this.key;
  }

  get reason(): FailureReason | undefined {
    return this.options.reason;
  }

  get exitCode(): number {
    return this.options.exitCode ?? EXIT_FAILURE;
  }
}

export function usageError(key: MessageKey, params: MessageParams = {}): SignerError {
  return new SignerError(key, params, { exitCode: EXIT_USAGE });
}

export function cardError(reason: FailureReason, key: MessageKey = reason, params: MessageParams = {}): SignerError {
  return new SignerError(key, params, { reason });
}

// PKCS#11 return values (Cryptoki 2.40 pkcs11t.h). Written out here rather than taken from pkcs11js so
// that this mapping (and its test) needs no native module.
export const CKR = {
  FUNCTION_CANCELED: 0x50,
  DEVICE_REMOVED: 0x32,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  TOKEN_NOT_PRESENT: 0xe0,
  USER_ALREADY_LOGGED_IN: 0x100,
} as const;

/**
 * Turns whatever a PKCS#11 call threw into a SignerError. A PIN of the wrong length or with invalid
 * characters is, for the person, simply a wrong PIN; a cancelled PIN pad is a cancellation; everything
 * else is a token error whose text (the CKR_ name from pkcs11js) helps support.
 */
export function mapPkcs11Error(err: unknown): SignerError {
  if (err instanceof SignerError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;
  switch (code) {
    case CKR.PIN_INCORRECT:
    case CKR.PIN_INVALID:
    case CKR.PIN_LEN_RANGE:
      return cardError('pin_incorrect');
    case CKR.PIN_LOCKED:
      return cardError('pin_locked');
    case CKR.FUNCTION_CANCELED:
      return cardError('cancelled');
    default:
      return cardError('token_error', 'token_error', { detail: err instanceof Error ? err.message : String(err) });
  }
}
