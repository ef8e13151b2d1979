// ============================================================================================
//  TEST MATERIAL — NEVER PRODUCTION. The test CA's status services (see keys/test-ca.ts).
//  One HTTP server on 127.0.0.1:
//    GET  /crl/intermediate.crl, /crl/root.crl   the issuers' CRLs (DER), signed on every request
//    GET  /ca/intermediate.cer, /ca/root.cer      the issuers' certificates (AIA caIssuers)
//    POST /ocsp                                   OCSP (RFC 6960): good / revoked / unknown, signed
//  Each endpoint can be told to misbehave, so fail-closed and fail-open paths get tested for real.
// ============================================================================================
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { TestCaAuthorities, TestCaIssuer, Authority } from './test-ca.js';

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as Crypto });

/**
 * normal: answer correctly; garbage: 200 with random bytes; error: HTTP 503; reset: drop the connection;
 * hang: accept and never answer (the client's timeout fires).
 */
export type ResponderBehaviour = 'normal' | 'garbage' | 'error' | 'reset' | 'hang';

export interface TestCaResponders {
  baseUrl: string;
  ocspUrl: string;
  crlUrl(issuer?: TestCaIssuer): string;
  /** Requests received so far (caching tests read these). */
  readonly requests: { ocsp: number; crl: number };
  setBehaviour(behaviour: ResponderBehaviour, endpoint?: 'ocsp' | 'crl' | 'both'): void;
  close(): Promise<void>;
}

export interface ResponderSetup {
  authorities: TestCaAuthorities;
  port?: number | undefined;
  ocspSigner: 'issuer' | 'delegated';
  revocationOf(serialHex: string): Date | undefined;
  crl(issuer: TestCaIssuer): Promise<Uint8Array>;
}

const HASHES: Record<string, string> = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384' };
const MAX_REQUEST_BYTES = 64 * 1024;

export async function startTestCaResponders(setup: ResponderSetup): Promise<TestCaResponders> {
  const behaviour = { ocsp: 'normal' as ResponderBehaviour, crl: 'normal' as ResponderBehaviour };
  const requests = { ocsp: 0, crl: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const crlMatch = /^\/crl\/(intermediate|root)\.crl$/.exec(url.pathname);
    const caMatch = /^\/ca\/(intermediate|root)\.cer$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/ocsp') {
      requests.ocsp += 1;
      if (misbehave(behaviour.ocsp, req, res, 'application/ocsp-response')) return;
      const body = await readBody(req);
      send(res, 'application/ocsp-response', await answerOcsp(setup, body));
    } else if (req.method === 'GET' && crlMatch) {
      requests.crl += 1;
      if (misbehave(behaviour.crl, req, res, 'application/pkix-crl')) return;
      send(res, 'application/pkix-crl', await setup.crl(crlMatch[1] as TestCaIssuer));
    } else if (req.method === 'GET' && caMatch) {
      send(res, 'application/pkix-cert', new Uint8Array(authorityOf(setup.authorities, caMatch[1] as TestCaIssuer).cert.rawData));
    } else {
      res.writeHead(404).end();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(setup.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    ocspUrl: `${baseUrl}/ocsp`,
    crlUrl: (issuer = 'intermediate') => `${baseUrl}/crl/${issuer}.crl`,
    requests,
    setBehaviour(next, endpoint = 'both') {
      if (endpoint !== 'crl') behaviour.ocsp = next;
      if (endpoint !== 'ocsp') behaviour.crl = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function misbehave(behaviour: ResponderBehaviour, req: IncomingMessage, res: ServerResponse, contentType: string): boolean {
  switch (behaviour) {
    case 'normal':
      return false;
    case 'garbage':
      send(res, contentType, randomBytes(200));
      return true;
    case 'error':
      res.writeHead(503).end();
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'hang':
      return true;
  }
}

function send(res: ServerResponse, contentType: string, body: Uint8Array): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length, 'cache-control': 'no-store' }).end(body);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_REQUEST_BYTES) throw new Error('request too large');
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function authorityOf(authorities: TestCaAuthorities, issuer: TestCaIssuer): Authority {
  return issuer === 'root' ? authorities.root : authorities.intermediate;
}

/** A signed BasicOCSPResponse for every CertID in the request; malformedRequest when it does not parse. */
async function answerOcsp(setup: ResponderSetup, body: Uint8Array): Promise<Uint8Array> {
  let request: pkijs.OCSPRequest;
  try {
    request = pkijs.OCSPRequest.fromBER(new Uint8Array(body));
  } catch {
    return new Uint8Array(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: 1 }) }).toSchema().toBER(false));
  }
  const now = new Date();
  const certIds = request.tbsRequest.requestList.map((entry) => entry.reqCert);
  // The CA named by the first CertID answers; a CertID of another issuer gets "unknown".
  const issuerName = certIds.length ? issuerOf(setup.authorities, certIds[0]!) : undefined;
  const issuer = issuerName ? authorityOf(setup.authorities, issuerName) : setup.authorities.intermediate;
  const signer = issuerName === 'intermediate' && setup.ocspSigner === 'delegated' ? setup.authorities.ocspResponder : issuer;
  const signerCert = pkijs.Certificate.fromBER(signer.cert.rawData);

  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = signerCert.subject;
  basic.tbsResponseData.producedAt = now;
  for (const certId of certIds) {
    const single = new pkijs.SingleResponse({ certID: certId, thisUpdate: now, nextUpdate: new Date(now.getTime() + 60 * 60 * 1000) });
    single.certStatus = issuerOf(setup.authorities, certId) === issuerName ? statusFor(setup, certId) : tagged(2);
    basic.tbsResponseData.responses.push(single);
  }
  if (signer !== issuer) basic.certs = [signerCert];
  await basic.sign(signer.key, 'SHA-256', engine);

  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: pkijs.id_PKIX_OCSP_Basic,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    }),
  });
  return new Uint8Array(response.toSchema().toBER(false));
}

/** Which of the CA's issuers a CertID names (by name hash and key hash), if any. */
function issuerOf(authorities: TestCaAuthorities, certId: pkijs.CertID): TestCaIssuer | undefined {
  const hash = HASHES[certId.hashAlgorithm.algorithmId];
  if (!hash) return undefined;
  for (const name of ['intermediate', 'root'] as const) {
    const cert = pkijs.Certificate.fromBER(authorityOf(authorities, name).cert.rawData);
    const nameHash = createHash(hash)
      .update(new Uint8Array(cert.subject.toSchema().toBER(false)))
      .digest();
    const keyHash = createHash(hash).update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    if (
      nameHash.equals(Buffer.from(certId.issuerNameHash.valueBlock.valueHexView)) &&
      keyHash.equals(Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView))
    ) {
      return name;
    }
  }
  return undefined;
}

/** Good unless revoked: the test CA does not remember what it issued in earlier runs (RFC 6960 allows it). */
function statusFor(setup: ResponderSetup, certId: pkijs.CertID): asn1js.BaseBlock {
  const serialHex = Buffer.from(certId.serialNumber.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^00(?=[89a-f])/, '');
  const revokedAt = setup.revocationOf(serialHex);
  if (!revokedAt) return tagged(0);
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: revokedAt })] });
}

/** CertStatus good [0] / unknown [2]: context-specific, implicitly NULL. */
function tagged(tagNumber: 0 | 2): asn1js.BaseBlock {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber } });
}
