import type { MssFailure } from './status-codes.js';
import type { MessageKey } from '../../src/i18n/index.js';

// The mobile-operator port: one instance per GSM operator (Turkcell, Vodafone, Türk Telekom), each an
// ETSI TS 102 204 client configured for that operator. Business outcomes (the person cancelled, PIN
// blocked, no mobile signature for this number) are values; a transport failure (connection refused,
// timeout, garbled answer) throws OperatorUnavailable, so the method can tell "the operator is down"
// from "the person said no".

export type { MssFailure } from './status-codes.js';

export interface SignatureRequest {
  /** Canonical national subscriber number: 10 digits starting with 5 (the operator formats it). */
  subscriber: string;
  /** The exact text the phone signs (UTF-8, text/plain). */
  dataToBeSigned: string;
  /** The short text the phone shows. */
  dataToBeDisplayed: string;
  /** Seconds the MSSP waits for the person (TimeOut attribute). */
  timeoutSeconds: number;
}

export type StartResult = { ok: true; msspTransId: string } | { ok: false; failure: MssFailure; statusCode: number };

export type StatusResult =
  | { state: 'pending' }
  | { state: 'signed'; signature: Uint8Array; statusCode: number }
  | { state: 'failed'; failure: MssFailure; statusCode: number };

export type OperatorHealthState = 'up' | 'down' | 'unknown';

export interface OperatorHealth {
  state: OperatorHealthState;
  /** Last transport problem (for /readyz detail and logs; never contains secrets). */
  lastError?: string;
  consecutiveFailures: number;
  /** While down: when the next request may try again (epoch ms). */
  retryAt?: number;
}

export interface MobileOperator {
  /** Stable id: also the form value and the metrics label ("turkcell"). */
  readonly id: string;
  /** Translation key of the operator's name. */
  readonly labelKey: MessageKey;
  /** Sends MSS_Signature in asynchronous client-server mode. Never retried once the request may have arrived. */
  requestSignature(request: SignatureRequest): Promise<StartResult>;
  /**
   * One MSS_StatusQuery (a new AP_TransID every time). `subscriber` (the number the transaction was
   * sent to) lets the operator's health count a garbled answer once per phone, not once per poll.
   */
  queryStatus(msspTransId: string, subscriber?: string): Promise<StatusResult>;
  /** MSS_Receipt after a completed transaction, where the operator wants one; failures are only logged. */
  sendReceipt(msspTransId: string, subscriber: string, message: string): Promise<void>;
  /** The operator's health as every Kapı process sees it (kept in the state store). */
  health(): Promise<OperatorHealth>;
  /**
   * The health a page shows the person. While the operator is down and its cool-down has passed, the
   * first caller (in any process) makes one cheap probe request, under a lock, and answers with its
   * outcome if it comes within a moment: no background poller ever asks.
   */
  checkHealth(): Promise<OperatorHealth>;
  /** Releases sockets (shutdown). */
  close?(): void;
}

export class OperatorUnavailable extends Error {
  override readonly name = 'OperatorUnavailable';
  constructor(
    readonly operator: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Observes every exchange with an operator (metrics). */
export interface OperatorObserver {
  exchange(event: { operator: string; operation: 'signature' | 'status' | 'receipt'; result: string; seconds: number }): void;
  health(operator: string, state: OperatorHealthState): void;
}

export const NO_OBSERVER: OperatorObserver = { exchange: () => undefined, health: () => undefined };
