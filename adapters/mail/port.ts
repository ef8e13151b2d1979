// The mail port (DESIGN.md "External services"): SMTP in production, an outbox in dev and tests.
// Texts are already in the person's language when they reach the port.

export type MailPurpose = 'contact_verification' | 'password_reset' | 'notification';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  purpose: MailPurpose;
}

export interface MailSender {
  /** Short name for logs and readiness ("outbox", "smtp"). */
  readonly kind: string;
  /** Resolves once the server accepted the message; throws a KapiError('upstream_unavailable') otherwise. */
  send(message: MailMessage): Promise<void>;
}
