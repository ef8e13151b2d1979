import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StateStore } from '../storage/port.js';
import { HealthTracker } from './health.js';
import { HttpTransport, TransportError, type TlsClientOptions } from './http-transport.js';
import {
  readReceiptResponse,
  readSignatureResponse,
  readStatusResponse,
  receiptRequest,
  signatureRequest,
  statusRequest,
  type Envelope,
  type MsspId,
} from './mss-messages.js';
import {
  NO_OBSERVER,
  OperatorUnavailable,
  type MobileOperator,
  type OperatorHealth,
  type OperatorObserver,
  type SignatureRequest,
  type StartResult,
  type StatusResult,
} from './port.js';
import { buildEnvelope, contentType, parseEnvelope, SoapFormatError, type ParsedSoap, type SoapFault, type SoapVersion } from './soap.js';
import { meaningOf, statusName } from './status-codes.js';
import type { MessageKey } from '../../src/i18n/index.js';

// The ETSI TS 102 204 client (AP side, asynchronous client-server mode). One instance per operator,
// configured by that operator's adapter (adapters/mobile-operators/operators/*.ts), which is the only
// place an operator's quirks are written down.

export type MsisdnFormat = 'international' | 'plus-international' | 'national';
type Operation = 'signature' | 'status' | 'receipt';

/** What one operator's adapter decides: its defaults and the hooks for its quirks. */
export interface OperatorProfile {
  id: string;
  labelKey: MessageKey;
  /** Turns the canonical 10-digit subscriber number into the MSISDN this operator expects. */
  formatMsisdn(subscriber: string, format: MsisdnFormat): string;
  /** Where this operator puts the TS 102 204 status code of a SOAP fault, when not in the Subcode. */
  statusFromFault?(fault: SoapFault): number | undefined;
  /** SOAPAction header (SOAP 1.1) / action parameter (SOAP 1.2) per operation. */
  soapAction(operation: Operation): string;
}

export interface EtsiOperatorSettings {
  /** The MSSP's endpoint (all operations), or per operation below. */
  endpoint: string;
  endpoints?: Partial<Record<Operation, string>>;
  apId: string;
  apPwd: string;
  msspId: MsspId;
  soapVersion: SoapVersion;
  signatureProfile: string;
  mssFormat?: string | undefined;
  msisdnFormat: MsisdnFormat;
  /** Per HTTP request. */
  requestTimeoutMs: number;
  /** Send MSS_Receipt after a signature. */
  receipt: boolean;
  tls?: TlsClientOptions;
  observer?: OperatorObserver;
  health?: { failuresToTrip?: number; coolDownMs?: number };
  /** Where the operator's health lives: the state store every Kapı process shares (Redis when configured). */
  state: StateStore;
}

const WRAPPERS: Record<Operation, string> = { signature: 'MSS_Signature', status: 'MSS_StatusQuery', receipt: 'MSS_Receipt' };
const RETRIES = 2;
/** How long a page waits for a probe it started before it shows what it knows (the probe goes on). */
const PROBE_WAIT_MS = 1500;
/** The probe's made-up transaction: an NCName no MSSP has issued, so the answer concerns nobody. */
const PROBE_PREFIX = 'KAPI-PROBE-';

/** What a garbled answer concerns, for the health tracker: a hash of the phone, kept in memory only. */
function scopeOf(subscriber: string): string {
  return createHash('sha256').update(`kapi-operator-health:${subscriber}`).digest('base64url');
}

/** A fresh XML NCName for every request, status polls included (a UUID may start with a digit). */
export function newApTransId(): string {
  return `KAPI-${randomUUID()}`;
}

export class EtsiOperator implements MobileOperator {
  readonly id: string;
  readonly labelKey: MessageKey;
  readonly #transports = new Map<string, HttpTransport>();
  readonly #health: HealthTracker;
  readonly #observer: OperatorObserver;

  constructor(
    private readonly profile: OperatorProfile,
    private readonly settings: EtsiOperatorSettings,
  ) {
    this.id = profile.id;
    this.labelKey = profile.labelKey;
    this.#observer = settings.observer ?? NO_OBSERVER;
    this.#health = new HealthTracker(profile.id, settings.state, this.#observer, { ...settings.health, probeTimeoutMs: settings.requestTimeoutMs + 2000 });
  }

  health(): Promise<OperatorHealth> {
    return this.#health.snapshot();
  }

  async checkHealth(): Promise<OperatorHealth> {
    if (await this.#health.claimProbe()) {
      const probe = this.#probe();
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([probe, new Promise<void>((resolve) => (waited = setTimeout(resolve, PROBE_WAIT_MS)))]);
      clearTimeout(waited);
    }
    return this.#health.snapshot();
  }

  /**
   * The cheapest request an MSSP answers: MSS_StatusQuery for a transaction it never issued. Any SOAP
   * answer, a fault included, shows the operator works (#exchange records it); no phone is asked,
   * nothing is paid for. Never rejects: its outcome is the health record.
   */
  async #probe(): Promise<void> {
    try {
      await this.#exchange('status', undefined, (e) => statusRequest(e, `${PROBE_PREFIX}${randomUUID()}`), { probe: true });
    } catch {
      // Recorded as a failure by #exchange: the cool-down starts again.
    }
  }

  async requestSignature(request: SignatureRequest): Promise<StartResult> {
    const msisdn = this.profile.formatMsisdn(request.subscriber, this.settings.msisdnFormat);
    const scope = scopeOf(request.subscriber);
    const reply = await this.#exchange('signature', scope, (e) =>
      signatureRequest(e, {
        msisdn,
        dataToBeSigned: request.dataToBeSigned,
        dataToBeDisplayed: request.dataToBeDisplayed,
        signatureProfile: this.settings.signatureProfile,
        mssFormat: this.settings.mssFormat,
        timeoutSeconds: request.timeoutSeconds,
      }),
    );
    if (reply.fault) return { ok: false, ...this.#faultFailure(reply.fault) };
    const answer = readSignatureResponse(reply.body);
    if (!answer || answer.statusCode === undefined) throw await this.#garbled('signature', scope, 'MSS_SignatureResp without a status');
    const meaning = meaningOf(answer.statusCode);
    if (meaning.kind === 'failed') return { ok: false, failure: meaning.failure, statusCode: answer.statusCode };
    if (meaning.kind !== 'accepted' && meaning.kind !== 'pending')
      throw await this.#garbled('signature', scope, `unexpected status ${answer.statusCode} for an asynchronous request`);
    if (!answer.msspTransId) throw await this.#garbled('signature', scope, 'MSS_SignatureResp without MSSP_TransID');
    return { ok: true, msspTransId: answer.msspTransId };
  }

  async queryStatus(msspTransId: string, subscriber?: string): Promise<StatusResult> {
    // Without the phone (an older caller), the transaction itself is the scope.
    const scope = subscriber ? scopeOf(subscriber) : `transaction:${msspTransId}`;
    const reply = await this.#exchange('status', scope, (e) => statusRequest(e, msspTransId));
    if (reply.fault) return { state: 'failed', ...this.#faultFailure(reply.fault) };
    const answer = readStatusResponse(reply.body);
    if (!answer || answer.statusCode === undefined) throw await this.#garbled('status', scope, 'MSS_StatusResp without a status');
    const meaning = meaningOf(answer.statusCode);
    if (meaning.kind === 'pending' || meaning.kind === 'accepted') return { state: 'pending' };
    if (meaning.kind === 'failed') return { state: 'failed', failure: meaning.failure, statusCode: answer.statusCode };
    if (!answer.base64Signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(answer.base64Signature)) {
      throw await this.#garbled('status', scope, `status ${answer.statusCode} without a readable signature`);
    }
    return { state: 'signed', signature: new Uint8Array(Buffer.from(answer.base64Signature, 'base64')), statusCode: answer.statusCode };
  }

  async sendReceipt(msspTransId: string, subscriber: string, message: string): Promise<void> {
    if (!this.settings.receipt) return;
    const msisdn = this.profile.formatMsisdn(subscriber, this.settings.msisdnFormat);
    const reply = await this.#exchange('receipt', scopeOf(subscriber), (e) => receiptRequest(e, msspTransId, msisdn, message));
    if (reply.fault) throw new OperatorUnavailable(this.id, `receipt refused: ${reply.fault.reason || reply.fault.code}`);
    const code = readReceiptResponse(reply.body);
    if (code !== undefined && code !== 100) throw new OperatorUnavailable(this.id, `receipt answered ${code} ${statusName(code)}`);
  }

  close(): void {
    for (const transport of this.#transports.values()) transport.close();
  }

  #faultFailure(fault: SoapFault) {
    const code = fault.statusCode ?? this.profile.statusFromFault?.(fault) ?? 900;
    const meaning = meaningOf(code);
    return { failure: meaning.kind === 'failed' ? meaning.failure : ('operator_error' as const), statusCode: code };
  }

  /** A garbled answer: counted against the operator's health once per `scope` (the phone it concerns), or every time without one. */
  async #garbled(operation: Operation, scope: string | undefined, detail: string): Promise<OperatorUnavailable> {
    await this.#health.failure(`malformed ${operation} response: ${detail}`, scope);
    return new OperatorUnavailable(this.id, `malformed ${operation} response: ${detail}`);
  }

  /** May a request go out now? While the breaker is open, only after a due probe (made here) succeeded. */
  async #open(): Promise<boolean> {
    if (await this.#health.allowRequest()) return true;
    if (!(await this.#health.claimProbe())) return false;
    await this.#probe();
    return this.#health.allowRequest();
  }

  #transport(operation: Operation): HttpTransport {
    const url = this.settings.endpoints?.[operation] ?? this.settings.endpoint;
    let transport = this.#transports.get(url);
    if (!transport) this.#transports.set(url, (transport = new HttpTransport(url, this.settings.tls)));
    return transport;
  }

  /**
   * One SOAP exchange, retried with backoff only where that is safe: a status query or receipt always
   * (each try is a new request with a new AP_TransID and changes nothing at the MSSP), a signature
   * request only when it certainly never reached the operator (else the phone would be asked twice).
   */
  async #exchange(
    operation: Operation,
    scope: string | undefined,
    build: (e: Envelope) => Record<string, unknown>,
    options: { probe?: boolean } = {},
  ): Promise<ParsedSoap> {
    // While the breaker is open only a probe goes out; a request that finds one due makes it first.
    if (!options.probe && !(await this.#open())) {
      this.#observer.exchange({ operator: this.id, operation, result: 'circuit_open', seconds: 0 });
      throw new OperatorUnavailable(this.id, `operator marked down: ${(await this.#health.snapshot()).lastError ?? 'repeated failures'}`);
    }
    const transport = this.#transport(operation);
    const version = this.settings.soapVersion;
    const action = this.profile.soapAction(operation);
    const headers: Record<string, string> = {
      'content-type': contentType(version, action),
      accept: version === '1.2' ? 'application/soap+xml, text/xml' : 'text/xml',
    };
    if (version === '1.1') headers.soapaction = `"${action}"`;
    for (let attempt = 0; ; attempt++) {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const envelope: Envelope = {
        ap: { apId: this.settings.apId, apPwd: this.settings.apPwd },
        apTransId: newApTransId(),
        instant: new Date().toISOString(),
        msspId: this.settings.msspId,
      };
      const xml = buildEnvelope(version, WRAPPERS[operation], build(envelope));
      try {
        const reply = await transport.post(transport.endpoint, xml, headers, this.settings.requestTimeoutMs);
        const parsed = await this.#read(operation, scope, reply.status, reply.body);
        await this.#health.success();
        this.#observer.exchange({
          operator: this.id,
          operation,
          result: parsed.fault ? `fault_${parsed.fault.statusCode ?? 'unknown'}` : 'ok',
          seconds: seconds(),
        });
        return parsed;
      } catch (err) {
        if (err instanceof OperatorUnavailable) {
          this.#observer.exchange({ operator: this.id, operation, result: 'malformed', seconds: seconds() });
          throw err;
        }
        const transportError = err instanceof TransportError ? err : new TransportError(String(err), false, { cause: err });
        await this.#health.failure(transportError.message);
        this.#observer.exchange({ operator: this.id, operation, result: 'transport_error', seconds: seconds() });
        const safe = operation !== 'signature' ? !/no answer within/.test(transportError.message) : transportError.notSent;
        if (options.probe || !safe || attempt >= RETRIES || !(await this.#health.allowRequest())) {
          throw new OperatorUnavailable(this.id, `${operation} request failed: ${transportError.message}`, { cause: err });
        }
        await sleep(150 * 2 ** attempt);
      }
    }
  }

  async #read(operation: Operation, scope: string | undefined, status: number, body: string): Promise<ParsedSoap> {
    // An HTTP 5xx that is not a SOAP fault is the operator's server (or its proxy) failing, whoever asked:
    // it counts every time, as a network failure does. Other garbled answers count once per phone.
    const counted = status >= 500 ? undefined : scope;
    let parsed: ParsedSoap;
    try {
      parsed = parseEnvelope(body);
    } catch (err) {
      const detail = err instanceof SoapFormatError ? err.message : String(err);
      throw await this.#garbled(operation, counted, `HTTP ${status}, ${detail}`);
    }
    if (status !== 200 && !parsed.fault) throw await this.#garbled(operation, counted, `HTTP ${status} without a SOAP fault`);
    return parsed;
  }
}

export function formatTurkishMsisdn(subscriber: string, format: MsisdnFormat): string {
  if (format === 'national') return `0${subscriber}`;
  if (format === 'plus-international') return `+90${subscriber}`;
  return `90${subscriber}`;
}

/** "0532 123 45 67", "+90 532 123 4567", "5321234567" → "5321234567"; anything else → undefined. */
export function canonicalSubscriber(input: string): string | undefined {
  const digits = input.replace(/[\s()./-]/g, '');
  const match = /^(?:\+90|0090|90|0)?(5\d{9})$/.exec(digits);
  return match ? match[1] : undefined;
}
