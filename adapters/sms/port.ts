// The SMS port (DESIGN.md "External services"): an HTTP SMS gateway in production, an outbox in dev
// and tests. Texts are already in the person's language when they reach the port.

export type SmsPurpose = 'contact_verification' | 'password_reset' | 'second_factor' | 'notification';

export interface SmsMessage {
  /** E.164 number, e.g. +905321112233. */
  to: string;
  text: string;
  purpose: SmsPurpose;
}

export interface SmsSender {
  /** Short name for logs and readiness ("outbox", "http-gateway"). */
  readonly kind: string;
  /** Resolves once the gateway accepted the message; throws a KapiError('upstream_unavailable') otherwise. */
  send(message: SmsMessage): Promise<void>;
}
