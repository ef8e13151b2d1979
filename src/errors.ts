// One error type for the whole of Kapı. The code is a closed list and doubles as the translation key
// of the message shown to the person (see src/i18n). Business outcomes of a protocol (the person
// cancelled, a PIN is blocked) are values that methods turn into steps, not errors.
export const ERROR_CODES = [
  'invalid_request',
  'csrf_failed',
  'session_expired',
  'invalid_identity_number',
  'invalid_credentials',
  'too_many_attempts',
  'password_login_closed',
  'password_rules',
  'password_mismatch',
  'method_unavailable',
  'level_unreachable',
  'not_found',
  'storage_unavailable',
  'upstream_unavailable',
  'config_invalid',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  csrf_failed: 403,
  session_expired: 400,
  invalid_identity_number: 400,
  invalid_credentials: 401,
  too_many_attempts: 429,
  password_login_closed: 403,
  password_rules: 400,
  password_mismatch: 400,
  method_unavailable: 400,
  level_unreachable: 403,
  not_found: 404,
  storage_unavailable: 503,
  upstream_unavailable: 503,
  config_invalid: 500,
  internal: 500,
};

export class KapiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra values for the message template (never secrets). */
  readonly params: Record<string, string | number>;

  constructor(code: ErrorCode, message?: string, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(message ?? code, options);
    this.name = 'KapiError';
    this.code = code;
    this.status = STATUS[code] ?? 500;
    this.params = params;
  }
}

/**
 * A registration whose key is already taken (a client id, a resource server's identifier). Its own class
 * so that an idempotent caller (the demo seed, the built-in clients registered at every start) can tell
 * "someone else made it first" from any other refusal, whichever of two concurrent starts wins.
 */
export class AlreadyExists extends KapiError {
  constructor(message: string) {
    super('invalid_request', message);
    this.name = 'AlreadyExists';
  }
}

/**
 * A client id that belonged to a removed institution: never registered again, since remembered consents,
 * people's session grants, refresh tokens and a resource server's binding name an institution by it.
 * An AlreadyExists, so that a seed treats it as done (an operator removed that demo registration).
 */
export class ClientIdRetired extends AlreadyExists {
  constructor(clientId: string) {
    super(`client id ${clientId} belonged to a removed institution and is not registered again: choose another`);
    this.name = 'ClientIdRetired';
  }
}

/** Runs a registration and treats "already exists" as done: for seeds and start-up registrations only. */
export async function unlessItExists(register: () => Promise<unknown>): Promise<void> {
  try {
    await register();
  } catch (error) {
    if (!(error instanceof AlreadyExists)) throw error;
  }
}

export function isKapiError(err: unknown): err is KapiError {
  return err instanceof KapiError;
}
