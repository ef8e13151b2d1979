import { XMLBuilder, XMLParser } from 'fast-xml-parser';

// SOAP 1.1 / 1.2 envelopes for ETSI TS 102 204, built and parsed with fast-xml-parser: every value
// supplied by a person or an operator goes through the builder's escaping, never into a string of XML.

export const MSS_NS = 'http://uri.etsi.org/TS102204/v1.1.2#';
export const SOAP_NS = { '1.1': 'http://schemas.xmlsoap.org/soap/envelope/', '1.2': 'http://www.w3.org/2003/05/soap-envelope' } as const;
export type SoapVersion = keyof typeof SOAP_NS;

/** A parsed XML element: attributes under "@_name", text under "#text", children by local name. */
export type XmlNode = { [key: string]: unknown };

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, processEntities: true });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

export class SoapFormatError extends Error {
  override readonly name = 'SoapFormatError';
}

export function contentType(version: SoapVersion, action: string): string {
  return version === '1.2' ? `application/soap+xml; charset=utf-8; action="${action}"` : 'text/xml; charset=utf-8';
}

/** Envelope > Body > wrapper (unqualified, as in the ETSI WSDL's operations) > payload. */
export function buildEnvelope(version: SoapVersion, wrapper: string | undefined, payload: Record<string, unknown>): string {
  const body = wrapper ? { [wrapper]: payload } : payload;
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ 'soap:Envelope': { '@_xmlns:soap': SOAP_NS[version], '@_xmlns:mss': MSS_NS, 'soap:Body': body } })}`;
}

export interface SoapFault {
  /** The TS 102 204 status code carried in the fault (Subcode "mss:_NNN"), when there is one. */
  statusCode: number | undefined;
  code: string;
  reason: string;
  /** The text inside the fault's detail element(s), flattened. */
  detail?: string;
}

export function buildFault(version: SoapVersion, statusCode: number, reason: string): string {
  const subcode = `mss:_${statusCode}`;
  const receiver = statusCode < 200 && statusCode !== 105 ? 'Sender' : 'Receiver';
  const fault =
    version === '1.2'
      ? {
          'soap:Fault': {
            'soap:Code': { 'soap:Value': `soap:${receiver}`, 'soap:Subcode': { 'soap:Value': subcode } },
            'soap:Reason': { 'soap:Text': { '@_xml:lang': 'en', '#text': reason } },
          },
        }
      : { 'soap:Fault': { faultcode: subcode, faultstring: reason } };
  return buildEnvelope(version, undefined, fault);
}

export interface ParsedSoap {
  version: SoapVersion;
  body: XmlNode;
  fault?: SoapFault;
}

/** Parses an envelope; refuses DTDs (SOAP forbids them, and entity expansion is an attack). */
export function parseEnvelope(xml: string): ParsedSoap {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SoapFormatError('SOAP message carries a DTD');
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (err) {
    throw new SoapFormatError(`not well-formed XML: ${(err as Error).message}`);
  }
  const envelope = doc.Envelope as XmlNode | undefined;
  if (!isNode(envelope) || !isNode(envelope.Body)) throw new SoapFormatError('not a SOAP envelope');
  // The parser drops namespace declarations (removeNSPrefix): the version is read from the Envelope's own tag.
  const envelopeTag = /<(?:[A-Za-z_][\w.-]*:)?Envelope\b[^>]*>/.exec(xml)?.[0] ?? '';
  const version: SoapVersion = envelopeTag.includes(SOAP_NS['1.1']) ? '1.1' : '1.2';
  const body = envelope.Body;
  const fault = isNode(body.Fault) ? readFault(body.Fault) : undefined;
  return fault ? { version, body, fault } : { version, body };
}

function readFault(fault: XmlNode): SoapFault {
  // SOAP 1.2: Code/Value + Code/Subcode/Value + Reason/Text; SOAP 1.1: faultcode + faultstring.
  const code12 = isNode(fault.Code) ? fault.Code : undefined;
  const subcode = code12 && isNode(code12.Subcode) ? text(code12.Subcode.Value) : undefined;
  const code = text(code12?.Value) ?? text(fault.faultcode) ?? '';
  const reason = (isNode(fault.Reason) ? text(fault.Reason.Text) : undefined) ?? text(fault.faultstring) ?? '';
  const detail = flatten(fault.detail ?? fault.Detail);
  const parsed: SoapFault = { statusCode: statusCodeIn(subcode) ?? statusCodeIn(code), code: subcode ?? code, reason };
  if (detail) parsed.detail = detail;
  return parsed;
}

function flatten(value: unknown, depth = 0): string {
  if (depth > 6 || value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((v) => flatten(v, depth + 1)).join(' ');
  if (isNode(value))
    return Object.entries(value)
      .filter(([k]) => !k.startsWith('@_'))
      .map(([, v]) => flatten(v, depth + 1))
      .join(' ')
      .trim();
  return '';
}

function statusCodeIn(value: string | undefined): number | undefined {
  const match = value ? /_(\d{3})\b/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an element that may be plain text or a node with attributes. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  if (isNode(value) && !Object.keys(value).some((k) => !k.startsWith('@_'))) return '';
  return undefined;
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Depth-first search for the first element with this local name. */
export function findElement(node: unknown, name: string, depth = 0): XmlNode | undefined {
  if (depth > 8 || !isNode(node)) return undefined;
  const direct = node[name];
  if (isNode(direct)) return direct;
  if (Array.isArray(direct) && isNode(direct[0])) return direct[0];
  for (const [key, child] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const found = findElement(child, name, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** An XML NCName (no colon, not starting with a digit, '-' or '.'). */
export function isNcName(value: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value);
}
