// ============================================================================================
//  SIMULATOR — NEVER PRODUCTION. How the simulated SIM signs: a CMS SignedData (RFC 5652) over the
//  DataToBeSigned, with signed attributes (contentType, messageDigest, signingTime), the signer's
//  certificate and its issuer, as an operator's MSSP returns it for the PKCS7 format.
// ============================================================================================
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const crypto = webcrypto as Crypto;
const engine = new pkijs.CryptoEngine({ name: 'node', crypto });
const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
};

export interface CmsSigningOptions {
  privateKey: CryptoKey;
  certificate: Uint8Array;
  chain: Uint8Array[];
  content: Uint8Array;
  /** Leave the content out (detached signature). */
  detached?: boolean;
  /** Flip a bit of the signature value (an MSSP bug or an attack). */
  tamper?: boolean;
}

export async function signCms(options: CmsSigningOptions): Promise<Uint8Array> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(options.certificate));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(options.content)));
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
        new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
        new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
      ],
    }),
  });
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(options.detached ? {} : { eContent: new asn1js.OctetString({ valueHex: new Uint8Array(options.content) }) }),
    }),
    signerInfos: [signerInfo],
    certificates: [cert, ...options.chain.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)))],
  });
  await signed.sign(options.privateKey, 0, 'SHA-256', new Uint8Array(options.content), engine);
  if (options.tamper) {
    const value = signed.signerInfos[0]!.signature.valueBlock.valueHexView;
    value[value.length - 1] = value[value.length - 1]! ^ 0x01;
  }
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

export async function generateSimKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}
