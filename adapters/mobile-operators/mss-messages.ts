import { attribute, findElement, isNode, text, type XmlNode } from './soap.js';

// The TS 102 204 messages Kapı sends (as fast-xml-parser builder objects, in the mss: namespace) and
// the parts of the answers it reads. The structure follows the standard's schema: versions, AP_Info
// (AP_ID, AP_TransID, AP_PWD, Instant) and MessagingMode/TimeOut are attributes; MSSP_ID is a URI or a
// DNSName; status codes sit in Status/StatusCode@Value.

export type MsspId = { uri: string } | { dnsName: string };

export interface ApIdentity {
  apId: string;
  apPwd: string;
}

export interface Envelope {
  ap: ApIdentity;
  apTransId: string;
  instant: string;
  msspId: MsspId;
}

function header(e: Envelope): Record<string, unknown> {
  return {
    'mss:AP_Info': { '@_AP_ID': e.ap.apId, '@_AP_TransID': e.apTransId, '@_AP_PWD': e.ap.apPwd, '@_Instant': e.instant },
    'mss:MSSP_Info': { 'mss:MSSP_ID': 'uri' in e.msspId ? { 'mss:URI': e.msspId.uri } : { 'mss:DNSName': e.msspId.dnsName } },
  };
}

const VERSION = { '@_MajorVersion': '1', '@_MinorVersion': '1' };

export interface SignatureFields {
  msisdn: string;
  dataToBeSigned: string;
  dataToBeDisplayed: string;
  signatureProfile: string;
  mssFormat?: string | undefined;
  timeoutSeconds: number;
}

export function signatureRequest(e: Envelope, f: SignatureFields): Record<string, unknown> {
  return {
    'mss:MSS_SignatureReq': {
      ...VERSION,
      '@_MessagingMode': 'asynchClientServer',
      '@_TimeOut': String(f.timeoutSeconds),
      ...header(e),
      'mss:MobileUser': { 'mss:MSISDN': f.msisdn },
      'mss:DataToBeSigned': { '@_MimeType': 'text/plain', '@_Encoding': 'UTF-8', '#text': f.dataToBeSigned },
      'mss:DataToBeDisplayed': { '@_MimeType': 'text/plain', '@_Encoding': 'UTF-8', '#text': f.dataToBeDisplayed },
      'mss:SignatureProfile': { 'mss:mssURI': f.signatureProfile },
      ...(f.mssFormat ? { 'mss:MSS_Format': { 'mss:mssURI': f.mssFormat } } : {}),
    },
  };
}

export function statusRequest(e: Envelope, msspTransId: string): Record<string, unknown> {
  return { 'mss:MSS_StatusReq': { ...VERSION, '@_MSSP_TransID': msspTransId, ...header(e) } };
}

export function receiptRequest(e: Envelope, msspTransId: string, msisdn: string, message: string): Record<string, unknown> {
  return {
    'mss:MSS_ReceiptReq': {
      ...VERSION,
      '@_MSSP_TransID': msspTransId,
      ...header(e),
      'mss:MobileUser': { 'mss:MSISDN': msisdn },
      'mss:Status': { 'mss:StatusCode': { '@_Value': '100' }, 'mss:StatusMessage': 'REQUEST_OK' },
      'mss:Message': { '@_MimeType': 'text/plain', '@_Encoding': 'UTF-8', '#text': message },
    },
  };
}

export function statusCodeOf(response: XmlNode): number | undefined {
  const status = findElement(response, 'Status');
  const code = attribute(status && isNode(status.StatusCode) ? status.StatusCode : undefined, 'Value');
  return code && /^\d{3}$/.test(code) ? Number(code) : undefined;
}

export interface SignatureAnswer {
  statusCode: number | undefined;
  msspTransId: string | undefined;
}

export function readSignatureResponse(body: XmlNode): SignatureAnswer | undefined {
  const resp = findElement(body, 'MSS_SignatureResp');
  if (!resp) return undefined;
  return { statusCode: statusCodeOf(resp), msspTransId: attribute(resp, 'MSSP_TransID') };
}

export interface StatusAnswer {
  statusCode: number | undefined;
  /** The base64 CMS/PKCS#7 signature, when the status carries one. */
  base64Signature: string | undefined;
}

export function readStatusResponse(body: XmlNode): StatusAnswer | undefined {
  const resp = findElement(body, 'MSS_StatusResp');
  if (!resp) return undefined;
  const signature = findElement(resp, 'MSS_Signature');
  const b64 = signature ? (text(signature.Base64Signature) ?? text(signature)) : undefined;
  return { statusCode: statusCodeOf(resp), base64Signature: b64 ? b64.replace(/\s+/g, '') : undefined };
}

export function readReceiptResponse(body: XmlNode): number | undefined {
  const resp = findElement(body, 'MSS_ReceiptResp');
  return resp ? statusCodeOf(resp) : undefined;
}
