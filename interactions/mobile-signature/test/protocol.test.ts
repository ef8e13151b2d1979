import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtsiOperator, canonicalSubscriber, newApTransId, type EtsiOperatorSettings } from '../../../adapters/mobile-operators/etsi-client.js';
import { KNOWN_OPERATORS } from '../../../adapters/mobile-operators/operators/index.js';
import { OperatorUnavailable } from '../../../adapters/mobile-operators/port.js';
import { MemoryStateStore } from '../../../adapters/storage/state-memory.js';
import { buildFault, isNcName, parseEnvelope, SOAP_NS } from '../../../adapters/mobile-operators/soap.js';
import { meaningOf, STATUS_NAMES } from '../../../adapters/mobile-operators/status-codes.js';
import { verifyCmsSignature } from '../../../adapters/pki/cms.js';
import { signCms, generateSimKey } from '../../../adapters/mobile-operators/simulator/cms-signer.js';
import { verificationCode, signingText } from '../signing-text.js';
import { OPERATORS, PROFILE, startTestbed, type Testbed } from './support.js';

// The TS 102 204 client against the simulator (real HTTP SOAP), and the rules the simulator checks:
// what Kapı sends is validated there, and recorded, so these tests read the requests as the MSSP saw them.

function operatorFor(bed: Testbed, id: string, overrides: Partial<EtsiOperatorSettings> = {}): EtsiOperator {
  const known = KNOWN_OPERATORS[id]!;
  return new EtsiOperator(known.profile, {
    endpoint: bed.simulator.endpoint(id),
    apId: OPERATORS[id]!.apId,
    apPwd: OPERATORS[id]!.apPwd,
    msspId: OPERATORS[id]!.msspId,
    soapVersion: known.defaults.soapVersion,
    signatureProfile: PROFILE,
    msisdnFormat: known.defaults.msisdnFormat,
    requestTimeoutMs: 2000,
    receipt: known.defaults.receipt,
    state: new MemoryStateStore(),
    ...overrides,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ETSI TS 102 204 client and MSSP simulator', () => {
  let bed: Testbed;
  beforeAll(async () => {
    bed = await startTestbed({ answerAfterMs: 200 });
  });
  afterAll(async () => bed?.close());

  it.each(['turkcell', 'vodafone', 'turk-telekom'])('%s: MSS_Signature, then MSS_StatusQuery until the signature, every request well-formed', async (id) => {
    const operator = operatorFor(bed, id);
    const text = signingText({ transactionId: 'mst_x', clientName: 'Vergi <Dairesi> & "Ortak"', locale: 'tr', at: new Date() });
    const started = await operator.requestSignature({
      subscriber: '5300000001',
      dataToBeSigned: text.dataToBeSigned,
      dataToBeDisplayed: text.dataToBeDisplayed,
      timeoutSeconds: 60,
    });
    expect(started.ok).toBe(true);
    const msspTransId = (started as { msspTransId: string }).msspTransId;
    let result = await operator.queryStatus(msspTransId);
    for (let i = 0; i < 20 && result.state === 'pending'; i++) {
      await sleep(100);
      result = await operator.queryStatus(msspTransId);
    }
    expect(result.state).toBe('signed');
    const cms = await verifyCmsSignature((result as { signature: Uint8Array }).signature, Buffer.from(text.dataToBeSigned));
    expect(cms.ok).toBe(true);

    const sent = bed.simulator.requests.filter((r) => r.operator === id);
    expect(sent.every((r) => r.fault === undefined)).toBe(true);
    const version = KNOWN_OPERATORS[id]!.defaults.soapVersion;
    for (const r of sent) {
      expect(r.soapVersion).toBe(version);
      expect(r.xml).toContain(SOAP_NS[version]);
      expect(r.contentType.startsWith(version === '1.2' ? 'application/soap+xml' : 'text/xml')).toBe(true);
      expect(isNcName(r.apTransId!)).toBe(true);
      expect(Date.parse(r.instant!)).not.toBeNaN();
      expect(r.apId).toBe(OPERATORS[id]!.apId);
    }
    // A new AP_TransID for every request, status polls included.
    const ids = sent.map((r) => r.apTransId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sent.filter((r) => r.operation === 'MSS_StatusReq').length).toBeGreaterThan(1);
    const signatureReq = sent.find((r) => r.operation === 'MSS_SignatureReq')!;
    expect(signatureReq.messagingMode).toBe('asynchClientServer');
    expect(signatureReq.timeOut).toBe('60');
    expect(signatureReq.msisdn).toBe({ turkcell: '905300000001', vodafone: '+905300000001', 'turk-telekom': '05300000001' }[id]);
    // User data went through the XML builder: escaped in the wire format, intact at the other end.
    expect(signatureReq.xml).toContain('Vergi &lt;Dairesi&gt; &amp; &quot;Ortak&quot;');
    expect(signatureReq.dataToBeSigned).toBe(text.dataToBeSigned);
    expect(signatureReq.dataToBeDisplayed).toBe(text.dataToBeDisplayed);
    // The AP password is sent (as TS 102 204 asks) but never echoed back.
    await operator.sendReceipt(msspTransId, '5300000001', 'ok');
    expect(bed.simulator.receiptsFor(msspTransId)).toBe(KNOWN_OPERATORS[id]!.defaults.receipt ? 1 : 0);
    operator.close();
  });

  it('the simulator refuses requests that break the rules, with the status codes of the standard', async () => {
    const post = (xml: string, type = 'text/xml; charset=utf-8') =>
      fetch(bed.simulator.endpoint('turkcell'), { method: 'POST', headers: { 'content-type': type }, body: xml });
    const envelope = (req: string) =>
      `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_NS['1.1']}" xmlns:mss="http://uri.etsi.org/TS102204/v1.1.2#"><s:Body><MSS_Signature>${req}</MSS_Signature></s:Body></s:Envelope>`;
    const apInfo = (transId: string, pwd = OPERATORS.turkcell!.apPwd) =>
      `<mss:AP_Info AP_ID="kapi-test-ap" AP_TransID="${transId}" AP_PWD="${pwd}" Instant="2026-01-01T10:00:00Z"/><mss:MSSP_Info><mss:MSSP_ID><mss:DNSName>www.turkcelltech.com</mss:DNSName></mss:MSSP_ID></mss:MSSP_Info>`;
    const body = `<mss:MobileUser><mss:MSISDN>905300000001</mss:MSISDN></mss:MobileUser><mss:DataToBeSigned MimeType="text/plain" Encoding="UTF-8">x</mss:DataToBeSigned><mss:DataToBeDisplayed MimeType="text/plain" Encoding="UTF-8">y</mss:DataToBeDisplayed><mss:SignatureProfile><mss:mssURI>${PROFILE}</mss:mssURI></mss:SignatureProfile>`;
    const req = (transId: string, extra = '', pwd?: string) =>
      envelope(
        `<mss:MSS_SignatureReq MajorVersion="1" MinorVersion="1" MessagingMode="asynchClientServer" TimeOut="60">${apInfo(transId, pwd)}${extra}</mss:MSS_SignatureReq>`,
      );
    const faultCode = async (res: Response) => parseEnvelope(await res.text()).fault?.statusCode;

    const ok = await post(req('A1', body));
    expect(ok.status).toBe(200);
    expect(await faultCode(await post(req('A1', body)))).toBe(101); // AP_TransID reused
    expect(await faultCode(await post(req('1abc', body)))).toBe(101); // not an NCName
    expect(await faultCode(await post(req('A2', body, 'wrong')))).toBe(104);
    expect(await faultCode(await post(req('A3', '')))).toBe(102); // no MSISDN, no data
    expect(await faultCode(await post(req('A4', body.replace(PROFILE, 'urn:other'))))).toBe(109);
    expect(await faultCode(await post(req('A5', body), 'application/soap+xml'))).toBe(108);
    expect(await faultCode(await post(req('A6', body.replace('905300000001', '05300000001'))))).toBe(101); // Turkcell's MSISDN format
    const tooLong = body.replace('>y<', `>${'y'.repeat(200)}<`);
    expect(await faultCode(await post(req('A7', tooLong)))).toBe(103);
  });

  it('turns every status code into an outcome, and parses faults of both SOAP versions and the operator quirks', () => {
    for (const code of Object.keys(STATUS_NAMES).map(Number)) expect(meaningOf(code).kind).toBeDefined();
    expect(meaningOf(502)).toEqual({ kind: 'signed' });
    expect(meaningOf(105)).toEqual({ kind: 'failed', failure: 'no_mobile_signature' });
    expect(meaningOf(777)).toEqual({ kind: 'failed', failure: 'operator_error' });
    expect(parseEnvelope(buildFault('1.2', 402, 'PIN_NR_BLOCKED')).fault).toMatchObject({ statusCode: 402, code: 'mss:_402' });
    expect(parseEnvelope(buildFault('1.1', 105, 'UNKNOWN_CLIENT')).fault).toMatchObject({ statusCode: 105 });
    const turkcellFault = `<s:Envelope xmlns:s="${SOAP_NS['1.1']}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>401 USER_CANCEL</faultstring></s:Fault></s:Body></s:Envelope>`;
    const fault = parseEnvelope(turkcellFault).fault!;
    expect(fault.statusCode).toBeUndefined();
    expect(KNOWN_OPERATORS.turkcell!.profile.statusFromFault!(fault)).toBe(401);
    const ttFault = `<s:Envelope xmlns:s="${SOAP_NS['1.1']}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>error</faultstring><detail><code>422</code></detail></s:Fault></s:Body></s:Envelope>`;
    expect(KNOWN_OPERATORS['turk-telekom']!.profile.statusFromFault!(parseEnvelope(ttFault).fault!)).toBe(422);
    expect(() => parseEnvelope('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(/DTD/);
  });

  it('makes NCName transaction ids, reads GSM numbers, derives the verification code as Mobile-ID does', () => {
    for (let i = 0; i < 50; i++) expect(isNcName(newApTransId())).toBe(true);
    expect(canonicalSubscriber('0532 123 45 67')).toBe('5321234567');
    expect(canonicalSubscriber('+90 (532) 123-45-67')).toBe('5321234567');
    expect(canonicalSubscriber('905321234567')).toBe('5321234567');
    expect(canonicalSubscriber('0212 123 45 67')).toBeUndefined();
    expect(canonicalSubscriber('53212345')).toBeUndefined();
    expect(verificationCode(Buffer.from('2f665f6a6999e0ef0752e00ec9f453adf59d8cb6', 'hex'))).toBe('1462');
    const text = signingText({ transactionId: 'mst_1', clientName: 'K'.repeat(300), locale: 'en', at: new Date() });
    expect([...text.dataToBeDisplayed].length).toBeLessThanOrEqual(120);
    expect(text.dataToBeDisplayed).toContain(text.code);
    expect(text.code).toBe(verificationCode(createHash('sha256').update(text.dataToBeSigned).digest()));
  });

  it('verifies CMS itself: content, detached content, tampering', async () => {
    const pair = await generateSimKey();
    const certificate = await bed.ca.issueLeaf({
      publicKey: pair.publicKey,
      nationalId: '10000000146',
      givenName: 'A',
      familyName: 'Y',
      profile: 'e-signature',
    });
    const content = Buffer.from('the data');
    const base = { privateKey: pair.privateKey, certificate, chain: [bed.ca.intermediateDer], content };
    const good = await verifyCmsSignature(await signCms(base), content);
    expect(good.ok && Buffer.from(good.signerCertificate).equals(Buffer.from(certificate))).toBe(true);
    expect((await verifyCmsSignature(await signCms({ ...base, detached: true }), content)).ok).toBe(true);
    expect(await verifyCmsSignature(await signCms({ ...base, detached: true }), Buffer.from('other'))).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await verifyCmsSignature(await signCms(base), Buffer.from('other'))).toMatchObject({ ok: false, reason: 'content_mismatch' });
    expect(await verifyCmsSignature(await signCms({ ...base, tamper: true }), content)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await verifyCmsSignature(new Uint8Array([48, 3, 1, 1, 0]), content)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  describe('operator down', () => {
    let hanging: Server;
    let hangingUrl: string;
    beforeAll(async () => {
      hanging = createServer(() => undefined); // accepts, never answers
      await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
      hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/mss`;
    });
    afterAll(async () => {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    });

    it('a refused connection fails fast, is retried only where safe, and trips the breaker', async () => {
      const operator = operatorFor(bed, 'vodafone', { endpoint: 'http://127.0.0.1:9/mss', health: { failuresToTrip: 3, coolDownMs: 60_000 } });
      const request = { subscriber: '5300000001', dataToBeSigned: 'x', dataToBeDisplayed: 'y', timeoutSeconds: 60 };
      const started = Date.now();
      await expect(operator.requestSignature(request)).rejects.toBeInstanceOf(OperatorUnavailable);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await operator.health()).state).toBe('down'); // three refused tries (never delivered, so retried)
      // Refused by the breaker itself, without a try: its own message says so (a time bound here flaked).
      await expect(operator.requestSignature(request)).rejects.toThrow(/marked down/);
    });

    it('a hanging operator costs one request timeout, and a signature request is not repeated', async () => {
      const operator = operatorFor(bed, 'vodafone', { endpoint: hangingUrl, requestTimeoutMs: 300 });
      const started = Date.now();
      await expect(operator.requestSignature({ subscriber: '5300000001', dataToBeSigned: 'x', dataToBeDisplayed: 'y', timeoutSeconds: 60 })).rejects.toThrow(
        /no answer within 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await operator.health()).toMatchObject({ state: 'unknown', consecutiveFailures: 1 });
    });
  });
});
