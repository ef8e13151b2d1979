// The push port (DESIGN.md "External services"): notifications to registered devices. A real client
// for the push service the operator configures (an HTTP push gateway), and an outbox for dev and
// tests that the reference device client and the tests read.

/** What a device is told: where to look, never a secret. The app fetches the approval itself. */
export interface PushMessage {
  /** The device's push token (given by the platform to the app, registered with the device). */
  token: string;
  title: string;
  body: string;
  /**
   * Small data the app uses: `approval` names the approval to open; `alert` is a warning to show (a
   * sign-in with the password was refused on a device: someone may know it), with its `reason`.
   */
  data: { type: 'approval'; approvalId: string; reason?: undefined } | { type: 'alert'; reason: 'approval_refused'; approvalId?: undefined };
}

export interface PushSender {
  /** Short name for logs and readiness ("outbox", "http-gateway"). */
  readonly kind: string;
  /** Resolves once the push service accepted the message; throws a KapiError('upstream_unavailable') otherwise. */
  send(message: PushMessage): Promise<void>;
}
