// ============================================================================================
//  SIMULATOR — NEVER PRODUCTION. An MSSP that speaks ETSI TS 102 204 over real HTTP SOAP (1.1 and
//  1.2): MSS_Signature (asynchronous client-server), MSS_StatusQuery, MSS_Receipt. It checks what an AP
//  sends against the protocol's rules (answering faults as an MSSP would), signs CMS with keys certified
//  by the test CA (keys/test-ca.ts), chooses its behaviour by the number dialled (./subscribers.ts),
//  and has a dev page where a person can "approve on the phone" by hand. Kapı does not know it is
//  talking to it: it is configured like any operator's endpoint.
// ============================================================================================
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestCa } from '../../../keys/test-ca.js';
import { X509Certificate } from '../../pki/x509.js';
import { canonicalSubscriber, type MsisdnFormat, formatTurkishMsisdn } from '../etsi-client.js';
import type { MsspId } from '../mss-messages.js';
import { attribute, buildEnvelope, buildFault, findElement, isNcName, isNode, MSS_NS, parseEnvelope, text, type SoapVersion, type XmlNode } from '../soap.js';
import { statusName } from '../status-codes.js';
import { signCms, generateSimKey } from './cms-signer.js';
import { renderDevPage } from './dev-page.js';
import { DEFAULT_SUBSCRIBERS, FAILURE_CODES, OTHER_PERSON, type Person, type Subscriber } from './subscribers.js';

export interface SimulatedOperator {
  apId: string;
  apPwd: string;
  msspId: MsspId;
  signatureProfile: string;
  msisdnFormat: MsisdnFormat;
}

export interface MsspSimulatorOptions {
  /** The test CA that certifies the SIM keys; its responders should run (OCSP/CRL URLs in the certificates). */
  ca: TestCa;
  /** One SOAP endpoint per operator id, at /<id>. */
  operators: Record<string, SimulatedOperator>;
  port?: number;
  host?: string;
  /** Replaces the default test numbers (README "Mobile signature"). */
  subscribers?: Subscriber[];
  /** How long "the person" takes to answer (default 2 s). */
  answerAfterMs?: number;
  /** How long every answer of a `slow` number takes (default 1.5 s). */
  slowMs?: number;
}

export interface RecordedRequest {
  operator: string;
  operation: 'MSS_SignatureReq' | 'MSS_StatusReq' | 'MSS_ReceiptReq' | 'unknown';
  soapVersion: SoapVersion;
  contentType: string;
  apId?: string | undefined;
  apTransId?: string | undefined;
  instant?: string | undefined;
  msspTransId?: string | undefined;
  msisdn?: string | undefined;
  messagingMode?: string | undefined;
  timeOut?: string | undefined;
  dataToBeSigned?: string | undefined;
  dataToBeDisplayed?: string | undefined;
  /** The fault answered, when the request broke a rule. */
  fault?: number;
  xml: string;
}

interface Transaction {
  id: string;
  operator: string;
  subscriber: Subscriber;
  msisdn: string;
  dataToBeSigned: string;
  dataToBeDisplayed: string;
  createdAt: number;
  deadline: number;
  decision?: 'approve' | 'cancel';
  /** Answer once given, so every later status query repeats it. */
  final?: { code: number; signature?: Uint8Array };
  receipts: number;
}

export interface MsspSimulator {
  url: string;
  endpoint(operator: string): string;
  readonly requests: RecordedRequest[];
  /** Pending transactions (for tests and the dev page). */
  pending(): { id: string; operator: string; msisdn: string; dataToBeDisplayed: string }[];
  decide(id: string, decision: 'approve' | 'cancel'): boolean;
  receiptsFor(id: string): number;
  /** Stops answering (connections refused) or starts again on the same port. */
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const MAX_DISPLAY_CHARS = 160;

export async function startMsspSimulator(options: MsspSimulatorOptions): Promise<MsspSimulator> {
  const subscribers = new Map((options.subscribers ?? DEFAULT_SUBSCRIBERS).map((s) => [s.number, s]));
  const answerAfter = options.answerAfterMs ?? 2000;
  const slowMs = options.slowMs ?? 1500;
  const transactions = new Map<string, Transaction>();
  const seenApTransIds = new Set<string>();
  const requests: RecordedRequest[] = [];
  const keys = new Map<string, Promise<{ key: CryptoKey; certificate: Uint8Array }>>();
  const devToken = randomBytes(16).toString('hex');
  const sockets = new Set<Socket>();

  /** One key and certificate per (number, person, revoked): issued the first time it is needed. */
  function simKey(number: string, person: Person, revoked = false) {
    const id = `${number}:${person.nationalId}:${revoked}`;
    let entry = keys.get(id);
    if (!entry) {
      entry = (async () => {
        const pair = await generateSimKey();
        const certificate = await options.ca.issueLeaf({ publicKey: pair.publicKey, ...person, profile: 'e-signature' });
        if (revoked) {
          options.ca.revoke(new X509Certificate(new Uint8Array(certificate)).serialNumber);
        }
        return { key: pair.privateKey, certificate };
      })();
      keys.set(id, entry);
    }
    return entry;
  }

  async function finalAnswer(tx: Transaction): Promise<Transaction['final'] | undefined> {
    if (tx.final) return tx.final;
    const now = Date.now();
    const { behaviour, person } = tx.subscriber;
    const answered = now >= tx.createdAt + answerAfter;
    let final: Transaction['final'] | undefined;
    if (tx.decision === 'cancel') final = { code: 401 };
    else if (now >= tx.deadline) final = { code: 208 };
    else if (behaviour === 'manual' || behaviour === 'timeout') final = tx.decision === 'approve' ? await signed(tx, person) : undefined;
    else if (!answered && tx.decision !== 'approve') final = undefined;
    else if (FAILURE_CODES[behaviour]) final = { code: FAILURE_CODES[behaviour]! };
    else if (behaviour === 'other_person') final = await signed(tx, OTHER_PERSON);
    else if (behaviour === 'revoked_certificate') final = await signed(tx, person, { revoked: true });
    else if (behaviour === 'invalid_signature') final = { ...(await signed(tx, person, { tamper: true })), code: 502 };
    else if (behaviour === 'wrong_data') final = await signed(tx, person, { content: `${tx.dataToBeSigned} (changed)` });
    else final = await signed(tx, person);
    if (final) tx.final = final;
    return final;
  }

  async function signed(tx: Transaction, person: Person, opts: { revoked?: boolean; tamper?: boolean; content?: string } = {}) {
    const { key, certificate } = await simKey(tx.subscriber.number, person, opts.revoked);
    const signature = await signCms({
      privateKey: key,
      certificate,
      chain: [options.ca.intermediateDer],
      content: Buffer.from(opts.content ?? tx.dataToBeSigned, 'utf8'),
      ...(opts.tamper ? { tamper: true } : {}),
    });
    return { code: 500, signature };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/dev' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      });
      res.end(renderDevPage(simulator.pending(), devToken));
      return;
    }
    const devMatch = /^\/dev\/transactions\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (devMatch && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const decision = form.get('decision');
      if (form.get('token') !== devToken || (decision !== 'approve' && decision !== 'cancel')) {
        res.writeHead(403).end('forbidden');
        return;
      }
      simulator.decide(devMatch[1]!, decision);
      res.writeHead(303, { location: '/dev' }).end();
      return;
    }
    const operatorId = url.pathname.replace(/^\//, '');
    const operator = options.operators[operatorId];
    if (!operator || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const body = await readBody(req);
    await soap(operatorId, operator, req, res, body);
  }

  async function soap(operatorId: string, operator: SimulatedOperator, req: IncomingMessage, res: ServerResponse, xml: string): Promise<void> {
    let parsed;
    const contentType = String(req.headers['content-type'] ?? '');
    try {
      parsed = parseEnvelope(xml);
    } catch {
      return send(res, '1.1', 500, buildFault('1.1', 101, 'WRONG_PARAM: not a SOAP envelope'));
    }
    const version = parsed.version;
    const record: RecordedRequest = { operator: operatorId, operation: 'unknown', soapVersion: version, contentType, xml };
    requests.push(record);
    const fault = (code: number, why: string) => {
      record.fault = code;
      return send(res, version, 500, buildFault(version, code, `${statusName(code)}: ${why}`));
    };
    const expectedType = version === '1.2' ? 'application/soap+xml' : 'text/xml';
    if (!contentType.startsWith(expectedType)) return fault(108, `SOAP ${version} needs content-type ${expectedType}`);
    if (!xml.includes(MSS_NS)) return fault(108, 'request is not in the TS 102 204 v1.1.2 namespace');

    const name = (['MSS_SignatureReq', 'MSS_StatusReq', 'MSS_ReceiptReq'] as const).find((n) => findElement(parsed.body, n));
    const request = name ? findElement(parsed.body, name)! : undefined;
    if (!name || !request) return fault(101, 'unknown operation');
    record.operation = name;
    if (attribute(request, 'MajorVersion') !== '1' || attribute(request, 'MinorVersion') !== '1') return fault(108, 'MajorVersion/MinorVersion must be 1/1');

    const apInfo = isNode(request.AP_Info) ? request.AP_Info : undefined;
    record.apId = attribute(apInfo, 'AP_ID');
    record.apTransId = attribute(apInfo, 'AP_TransID');
    record.instant = attribute(apInfo, 'Instant');
    const apPwd = attribute(apInfo, 'AP_PWD');
    if (!apInfo || !record.apId || !record.apTransId || !record.instant || apPwd === undefined)
      return fault(102, 'AP_Info needs AP_ID, AP_TransID, AP_PWD and Instant');
    if (!isNcName(record.apTransId)) return fault(101, 'AP_TransID must be an NCName');
    if (seenApTransIds.has(`${record.apId} ${record.apTransId}`)) return fault(101, 'AP_TransID was used before');
    seenApTransIds.add(`${record.apId} ${record.apTransId}`);
    if (Number.isNaN(Date.parse(record.instant)) || !/T.*(Z|[+-]\d\d:\d\d)$/.test(record.instant))
      return fault(101, 'Instant must be an xs:dateTime with a time zone');
    if (record.apId !== operator.apId || apPwd !== operator.apPwd) return fault(104, 'unknown AP or wrong AP_PWD');
    const msspInfo = isNode(request.MSSP_Info) && isNode(request.MSSP_Info.MSSP_ID) ? request.MSSP_Info.MSSP_ID : undefined;
    const msspId = 'uri' in operator.msspId ? text(msspInfo?.URI) : text(msspInfo?.DNSName);
    if (msspId !== ('uri' in operator.msspId ? operator.msspId.uri : operator.msspId.dnsName)) return fault(101, 'MSSP_ID does not name this MSSP');

    if (name === 'MSS_SignatureReq') return signatureRequest(operatorId, operator, request, record, version, res, fault);
    const msspTransId = attribute(request, 'MSSP_TransID');
    record.msspTransId = msspTransId;
    const tx = msspTransId ? transactions.get(msspTransId) : undefined;
    if (!tx || tx.operator !== operatorId) return fault(101, 'unknown MSSP_TransID');
    if (tx.subscriber.behaviour === 'slow') await delay(slowMs);
    if (name === 'MSS_ReceiptReq') {
      tx.receipts += 1;
      return send(
        res,
        version,
        200,
        buildEnvelope(version, 'MSS_ReceiptResponse', {
          'mss:MSS_ReceiptResp': { '@_MajorVersion': '1', '@_MinorVersion': '1', ...echo(record, operator), 'mss:Status': status(100) },
        }),
      );
    }
    if (tx.subscriber.behaviour === 'fault' && Date.now() >= tx.createdAt + answerAfter) return fault(406, 'the SIM could not make the signature');
    if (tx.subscriber.behaviour === 'malformed_status')
      return send(res, version, 200, '<html><body>Service Temporarily Unavailable</body></html>', 'text/html');
    const final = await finalAnswer(tx);
    const code = final?.code ?? 504;
    const signature = final?.signature ? { 'mss:MSS_Signature': { 'mss:Base64Signature': Buffer.from(final.signature).toString('base64') } } : {};
    return send(
      res,
      version,
      200,
      buildEnvelope(version, 'MSS_StatusQueryResponse', {
        'mss:MSS_StatusResp': {
          '@_MajorVersion': '1',
          '@_MinorVersion': '1',
          ...echo(record, operator),
          'mss:MobileUser': { 'mss:MSISDN': tx.msisdn },
          ...signature,
          'mss:Status': status(code),
        },
      }),
    );
  }

  async function signatureRequest(
    operatorId: string,
    operator: SimulatedOperator,
    request: XmlNode,
    record: RecordedRequest,
    version: SoapVersion,
    res: ServerResponse,
    fault: (code: number, why: string) => void,
  ): Promise<void> {
    record.messagingMode = attribute(request, 'MessagingMode');
    record.timeOut = attribute(request, 'TimeOut');
    record.msisdn = isNode(request.MobileUser) ? text(request.MobileUser.MSISDN) : undefined;
    const dtbs = isNode(request.DataToBeSigned) || typeof request.DataToBeSigned === 'string' ? request.DataToBeSigned : undefined;
    const dtbd = isNode(request.DataToBeDisplayed) || typeof request.DataToBeDisplayed === 'string' ? request.DataToBeDisplayed : undefined;
    record.dataToBeSigned = text(dtbs);
    record.dataToBeDisplayed = text(dtbd);
    if (record.messagingMode !== 'asynchClientServer') return fault(101, 'this MSSP offers asynchClientServer only');
    if (!record.timeOut || !/^\d{1,4}$/.test(record.timeOut)) return fault(101, 'TimeOut must be a number of seconds');
    if (!record.msisdn) return fault(102, 'MobileUser/MSISDN is missing');
    if (!record.dataToBeSigned || !isNode(dtbs) || !attribute(dtbs, 'MimeType') || !attribute(dtbs, 'Encoding'))
      return fault(102, 'DataToBeSigned with MimeType and Encoding is required');
    if (!record.dataToBeDisplayed) return fault(102, 'DataToBeDisplayed is missing');
    if ([...record.dataToBeDisplayed].length > MAX_DISPLAY_CHARS) return fault(103, `DataToBeDisplayed is longer than ${MAX_DISPLAY_CHARS} characters`);
    const profile = isNode(request.SignatureProfile) ? text(request.SignatureProfile.mssURI) : undefined;
    if (profile !== operator.signatureProfile) return fault(109, 'SignatureProfile not supported');
    const number = canonicalSubscriber(record.msisdn);
    if (!number || formatTurkishMsisdn(number, operator.msisdnFormat) !== record.msisdn)
      return fault(101, `MSISDN must be in the ${operator.msisdnFormat} format`);
    const subscriber = subscribers.get(number);
    if (!subscriber) return fault(105, 'no mobile signature for this number');
    if (subscriber.behaviour === 'malformed') return send(res, version, 200, '<html><body>Service Temporarily Unavailable</body></html>', 'text/html');
    if (subscriber.behaviour === 'slow') await delay(slowMs);
    const id = `S${randomUUID().replace(/-/g, '')}`;
    const now = Date.now();
    transactions.set(id, {
      id,
      operator: operatorId,
      subscriber,
      msisdn: record.msisdn,
      dataToBeSigned: record.dataToBeSigned,
      dataToBeDisplayed: record.dataToBeDisplayed,
      createdAt: now,
      deadline: now + Number(record.timeOut) * 1000,
      receipts: 0,
    });
    record.msspTransId = id;
    return send(
      res,
      version,
      200,
      buildEnvelope(version, 'MSS_SignatureResponse', {
        'mss:MSS_SignatureResp': {
          '@_MajorVersion': '1',
          '@_MinorVersion': '1',
          '@_MSSP_TransID': id,
          ...echo(record, operator),
          'mss:MobileUser': { 'mss:MSISDN': record.msisdn },
          'mss:SignatureProfile': { 'mss:mssURI': operator.signatureProfile },
          'mss:Status': status(100),
        },
      }),
    );
  }

  function echo(record: RecordedRequest, operator: SimulatedOperator) {
    return {
      'mss:AP_Info': { '@_AP_ID': record.apId, '@_AP_TransID': record.apTransId, '@_Instant': record.instant },
      'mss:MSSP_Info': {
        '@_Instant': new Date().toISOString(),
        'mss:MSSP_ID': 'uri' in operator.msspId ? { 'mss:URI': operator.msspId.uri } : { 'mss:DNSName': operator.msspId.dnsName },
      },
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const base = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const simulator: MsspSimulator = {
    url: base,
    endpoint: (operator) => `${base}/${operator}`,
    requests,
    pending: () =>
      [...transactions.values()]
        .filter((t) => !t.final && Date.now() < t.deadline)
        .map((t) => ({ id: t.id, operator: t.operator, msisdn: t.msisdn, dataToBeDisplayed: t.dataToBeDisplayed })),
    decide(id, decision) {
      const tx = transactions.get(id);
      if (!tx || tx.final) return false;
      tx.decision = decision;
      return true;
    },
    receiptsFor: (id) => transactions.get(id)?.receipts ?? 0,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return simulator;
}

function status(code: number) {
  return { 'mss:StatusCode': { '@_Value': String(code) }, 'mss:StatusMessage': statusName(code) };
}

function send(res: ServerResponse, version: SoapVersion, httpStatus: number, body: string, type?: string): void {
  res.writeHead(httpStatus, { 'content-type': type ?? (version === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8') });
  res.end(body);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
