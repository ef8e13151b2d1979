import { randomUUID } from 'node:crypto';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';
import type { SmsMessage, SmsSender } from './port.js';

// The real SMS client: one JSON POST per message to an HTTP SMS gateway (the operator's or an
// aggregator's). The body is { from, to, text, reference }; the gateway answers 2xx once it has
// accepted the message. Credentials go in the Authorization header (a bearer token, or user and
// password as HTTP Basic), never in the URL, and neither they nor the text (codes!) are ever logged.

export interface HttpSmsGatewayOptions {
  /** The gateway's send endpoint, e.g. https://sms.example.net/v1/messages. */
  endpoint: string;
  /** Bearer token; or `username` + `password` for HTTP Basic. */
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** The sender id shown on the phone (an alphanumeric originator registered with the operator). */
  senderId: string;
  /** Per attempt. Default 5000 ms. */
  timeoutMs?: number;
  /** Further attempts after a refusal that says "not accepted, try again". Default 2. */
  retries?: number;
  /** Wait before the first retry, doubled each time. Default 200 ms. */
  retryDelayMs?: number;
}

/** Why an attempt failed, and whether another attempt can not send the message twice. */
interface AttemptFailure {
  retryable: boolean;
  reason: string;
}

// Statuses that mean the gateway did not take the message: it is safe to send it again. Anything
// else (a timeout, a 500 after the body was read) may have been accepted; retrying those could send
// a person the same code twice, so they are reported instead. The Idempotency-Key header lets a
// gateway that supports it drop a duplicate anyway.
const RETRYABLE_STATUSES = new Set([429, 502, 503]);
// Connection errors that happen before any byte of the request reached the gateway.
const RETRYABLE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export class HttpSmsGateway implements SmsSender {
  readonly kind = 'http-gateway';
  readonly #options: Required<Pick<HttpSmsGatewayOptions, 'endpoint' | 'senderId' | 'timeoutMs' | 'retries' | 'retryDelayMs'>>;
  readonly #authorization: string | undefined;

  constructor(options: HttpSmsGatewayOptions) {
    const url = new URL(options.endpoint);
    if (url.username || url.password)
      throw new KapiError('config_invalid', 'SMS gateway: put credentials in the token or username/password settings, not in the URL');
    if (!/^[A-Za-z0-9 ]{1,11}$|^\+?[0-9]{3,15}$/.test(options.senderId))
      throw new KapiError('config_invalid', 'SMS gateway: the sender id must be 1-11 letters/digits or a number');
    this.#options = {
      endpoint: url.href,
      senderId: options.senderId,
      timeoutMs: options.timeoutMs ?? 5000,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 200,
    };
    if (options.token) this.#authorization = `Bearer ${options.token}`;
    else if (options.username) this.#authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }

  async send(message: SmsMessage): Promise<void> {
    if (!/^\+[1-9][0-9]{6,14}$/.test(message.to)) throw new KapiError('invalid_request', 'SMS: the number is not in E.164 form');
    // One reference for every attempt of this message: the gateway's duplicate filter keys on it.
    const reference = randomUUID();
    const body = JSON.stringify({ from: this.#options.senderId, to: message.to, text: message.text, reference });
    let failure: AttemptFailure | undefined;
    for (let attempt = 0; attempt <= this.#options.retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs * 2 ** (attempt - 1)));
      failure = await this.#attempt(body, reference);
      if (!failure) {
        log.info({ purpose: message.purpose, reference, attempts: attempt + 1 }, 'SMS accepted by the gateway');
        return;
      }
      if (!failure.retryable) break;
    }
    // The reason names a status or an error code, never the number, the text or the credentials.
    log.warn({ purpose: message.purpose, reference, reason: failure?.reason }, 'SMS not accepted by the gateway');
    throw new KapiError('upstream_unavailable', `SMS gateway: ${failure?.reason ?? 'failed'}`);
  }

  async #attempt(body: string, reference: string): Promise<AttemptFailure | undefined> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': reference };
    if (this.#authorization) headers.authorization = this.#authorization;
    try {
      const res = await fetch(this.#options.endpoint, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      // The answer's body is not needed; reading it frees the connection.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      return { retryable: RETRYABLE_STATUSES.has(res.status), reason: `status ${res.status}` };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { retryable: false, reason: 'timeout' };
      const code = (err as { cause?: { code?: string } }).cause?.code ?? 'network';
      return { retryable: RETRYABLE_CONNECT_ERRORS.has(code), reason: code };
    }
  }
}
