import { randomUUID } from 'node:crypto';
import { KapiError } from '../../src/errors.js';
import { log } from '../../src/log.js';
import type { PushMessage, PushSender } from './port.js';

// The real push client: one JSON POST per notification to the operator's HTTP push gateway (a relay
// in front of the platform services, or any service that takes { to, notification, data }). The
// bearer token goes in the Authorization header, never in the URL; neither it nor the device's push
// token is logged.

export interface HttpPushGatewayOptions {
  endpoint: string;
  token?: string | undefined;
  /** Per attempt. Default 5000 ms. */
  timeoutMs?: number;
}

export class HttpPushGateway implements PushSender {
  readonly kind = 'http-gateway';
  readonly #endpoint: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: HttpPushGatewayOptions) {
    const url = new URL(options.endpoint);
    if (url.username || url.password) throw new KapiError('config_invalid', 'push gateway: put the credential in KAPI_PUSH_GATEWAY_TOKEN, not in the URL');
    this.#endpoint = url.href;
    this.#authorization = options.token ? `Bearer ${options.token}` : undefined;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async send(message: PushMessage): Promise<void> {
    const reference = randomUUID();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': reference };
    if (this.#authorization) headers.authorization = this.#authorization;
    let res: Response;
    try {
      res = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to: message.token, notification: { title: message.title, body: message.body }, data: message.data, reference }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      log.warn({ reference, reason: (err as Error).name }, 'push gateway unreachable');
      throw new KapiError('upstream_unavailable', 'the push service is unreachable');
    }
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) {
      log.warn({ reference, status: res.status }, 'push gateway refused a notification');
      throw new KapiError('upstream_unavailable', `the push service answered ${res.status}`);
    }
  }
}
