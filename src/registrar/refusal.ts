import type { MessageKey } from '../i18n/index.js';

// A registrar refusal: the closed list of reasons a counter request is turned down. The code is the
// translation key (registrar.refusal.<code>) of the message staff read out, and the API's `error`.
// Kept apart from KapiError's list because these are answers to staff, not states of a login.

export const REFUSAL_STATUS = {
  // the request itself
  invalid_request: 400,
  invalid_identity_number: 400,
  document_unknown: 400,
  idempotency_key_missing: 400,
  idempotency_key_invalid: 400,
  idempotency_key_reused: 422,
  // the person
  not_in_registry: 422,
  deceased: 422,
  under_15: 422,
  // the documents
  documents_missing: 422,
  document_not_accepted: 422,
  document_duplicate: 422,
  blue_card_needs_photo_id: 422,
  work_permit_needs_passport: 422,
  passport_needs_work_permit: 422,
  document_mismatch: 422,
  // the representative
  representative_missing: 422,
  representative_unexpected: 422,
  representative_is_person: 422,
  representative_not_in_registry: 422,
  representative_deceased: 422,
  representative_minor: 422,
  representative_document_not_accepted: 422,
  representative_document_mismatch: 422,
  proxy_not_authorised: 422,
  authority_date_invalid: 422,
  second_factors_by_proxy: 422,
  // cancellation
  no_password: 409,
  // a receipt asked for again: unknown, or another office's (which is not said)
  record_unknown: 404,
  // staff and office
  staff_is_person: 403,
  staff_is_representative: 403,
  office_unknown: 403,
  office_inactive: 403,
  not_registrar: 403,
  too_many_requests: 429,
} as const;

export type RefusalCode = keyof typeof REFUSAL_STATUS;

export type CounterOperation = 'issue' | 'cancel';

export class RegistrarRefusal extends Error {
  readonly status: number;
  /** The operation refused, when it words the message (a cancellation is not "no password can be issued"). */
  operation: CounterOperation | undefined;

  constructor(
    readonly code: RefusalCode,
    readonly params: Record<string, string | number> = {},
    message?: string,
    /** A more precise message than the code's own (which field of a request is wrong, and how). */
    readonly messageKey?: MessageKey,
  ) {
    super(message ?? code);
    this.name = 'RegistrarRefusal';
    this.status = REFUSAL_STATUS[code];
  }

  /** The same refusal, worded for this operation. */
  during(operation: CounterOperation): this {
    this.operation ??= operation;
    return this;
  }
}

export function isRefusal(err: unknown): err is RegistrarRefusal {
  return err instanceof RegistrarRefusal;
}
