import { X509Certificate, createHash, verify as verifySignature, constants as cryptoConstants } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { CKR, SignerError, cardError, mapPkcs11Error } from './errors.js';

// The card, through its vendor's PKCS#11 module. Everything here is synchronous (pkcs11js calls the
// module directly) and short-lived: load, find the token by label, read certificates, log in, sign one
// challenge, and always log out, close the session and finalize, also when something fails.

export type SignatureAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384';

export type KeyKind = { kind: 'rsa'; bits: number } | { kind: 'ec'; curve: 'P-256' | 'P-384' } | { kind: 'unsupported'; description: string };

export interface TokenSummary {
  slot: Buffer;
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  pinLocked: boolean;
  pinFinalTry: boolean;
  /** A PIN pad on the reader: the PIN is typed there, never here. */
  protectedAuthPath: boolean;
}

export interface TokenCertificate {
  id: Buffer;
  idHex: string;
  label: string;
  der: Buffer;
  /** The subject's CN (the holder's name), or the whole subject when there is no CN. */
  holder: string;
  issuer: string;
  isCa: boolean;
  notAfter: Date;
  key: KeyKind;
  x509: X509Certificate;
}

export interface Signature {
  algorithm: SignatureAlgorithm;
  signature: Buffer;
}

// DigestInfo prefix of SHA-256 (RFC 8017 §9.2): for tokens that only offer raw CKM_RSA_PKCS.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
// CKM_ECDSA_SHA256 / CKM_ECDSA_SHA384 (Cryptoki 2.40), spelled out because not every binding exports them.
const CKM_ECDSA_SHA256 = 0x1044;
const CKM_ECDSA_SHA384 = 0x1045;
const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;

function trimPadded(value: string): string {
  // Token strings are fixed-width and blank-padded (some modules pad with NULs).
  return value.replace(/[\s\0]+$/, '');
}

/** Finds `CN=` in Node's one-attribute-per-line rendering of a name. */
export function commonName(name: string): string {
  const line = name.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : name.replace(/\n/g, ', ');
}

function keyKind(cert: X509Certificate): KeyKind {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return { kind: 'rsa', bits: details.modulusLength ?? 2048 };
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return { kind: 'ec', curve: 'P-256' };
    if (details.namedCurve === 'secp384r1') return { kind: 'ec', curve: 'P-384' };
    return { kind: 'unsupported', description: `EC ${details.namedCurve ?? '?'}` };
  }
  return { kind: 'unsupported', description: key.asymmetricKeyType ?? '?' };
}

/** The loaded module. Use {@link withModule} so it is always finalized. */
export class Pkcs11Module {
  private constructor(private readonly lib: pkcs11js.PKCS11) {}

  static load(path: string): Pkcs11Module {
    const lib = new pkcs11js.PKCS11();
    try {
      lib.load(path);
    } catch (err) {
      throw new SignerError('module_load_failed', { path, detail: err instanceof Error ? err.message : String(err) }, { reason: 'token_error' });
    }
    try {
      lib.C_Initialize();
    } catch (err) {
      if ((err as { code?: number }).code !== CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        lib.close();
        throw mapPkcs11Error(err);
      }
    }
    return new Pkcs11Module(lib);
  }

  tokens(): TokenSummary[] {
    try {
      const tokens: TokenSummary[] = [];
      for (const slot of this.lib.C_GetSlotList(true)) {
        const info = this.lib.C_GetTokenInfo(slot);
        // An uninitialised token (SoftHSM always offers one empty slot) holds nothing to sign with.
        if ((info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0) continue;
        tokens.push({
          slot,
          label: trimPadded(info.label),
          manufacturer: trimPadded(info.manufacturerID),
          model: trimPadded(info.model),
          serial: trimPadded(info.serialNumber),
          pinLocked: (info.flags & pkcs11js.CKF_USER_PIN_LOCKED) !== 0,
          pinFinalTry: (info.flags & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0,
          protectedAuthPath: (info.flags & pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
        });
      }
      return tokens;
    } catch (err) {
      throw mapPkcs11Error(err);
    }
  }

  /** Re-reads the token's flags (the PIN counters change after a failed login). */
  refresh(token: TokenSummary): TokenSummary {
    return this.tokens().find((t) => t.slot.equals(token.slot)) ?? token;
  }

  open(token: TokenSummary): CardSession {
    try {
      const session = this.lib.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
      return new CardSession(this.lib, token, session);
    } catch (err) {
      throw mapPkcs11Error(err);
    }
  }

  close(): void {
    try {
      this.lib.C_Finalize();
    } catch {
      // Finalizing is cleanup: a failure here must not hide the error that brought us here.
    }
    try {
      this.lib.close();
    } catch {
      // Same.
    }
  }
}

/** Loads the module, runs `action`, and finalizes whatever happens. */
export async function withModule<T>(path: string, action: (module: Pkcs11Module) => Promise<T>): Promise<T> {
  const module = Pkcs11Module.load(path);
  try {
    return await action(module);
  } finally {
    module.close();
  }
}

export class CardSession {
  private loggedIn = false;
  private closed = false;
  private mechanisms: number[] | null | undefined;

  constructor(
    private readonly lib: pkcs11js.PKCS11,
    readonly token: TokenSummary,
    private readonly session: Buffer,
  ) {}

  private find(template: pkcs11js.Template): Buffer[] {
    this.lib.C_FindObjectsInit(this.session, template);
    try {
      const found: Buffer[] = [];
      for (;;) {
        const batch = this.lib.C_FindObjects(this.session, 32);
        if (batch.length === 0) return found;
        found.push(...batch);
      }
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
  }

  /** X.509 certificates on the token. They are public objects: no PIN is needed to read them. */
  certificates(): TokenCertificate[] {
    let handles: Buffer[];
    try {
      handles = this.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      ]);
    } catch (err) {
      throw mapPkcs11Error(err);
    }
    const certificates: TokenCertificate[] = [];
    for (const handle of handles) {
      try {
        const [value, id, label] = this.lib.C_GetAttributeValue(this.session, handle, [
          { type: pkcs11js.CKA_VALUE },
          { type: pkcs11js.CKA_ID },
          { type: pkcs11js.CKA_LABEL },
        ]);
        const der = Buffer.from(value?.value as Buffer);
        const x509 = new X509Certificate(der);
        const idBuffer = Buffer.from((id?.value as Buffer | undefined) ?? Buffer.alloc(0));
        certificates.push({
          id: idBuffer,
          idHex: idBuffer.toString('hex'),
          label: trimPadded(((label?.value as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8')),
          der,
          holder: commonName(x509.subject),
          issuer: commonName(x509.issuer),
          isCa: x509.ca,
          notAfter: new Date(x509.validTo),
          key: keyKind(x509),
          x509,
        });
      } catch {
        // A certificate object we cannot read or parse is not one anybody can sign in with: skip it.
      }
    }
    // Tokens return objects in no particular order (SoftHSM's changes from run to run); sorting by
    // CKA_ID keeps the numbers --list prints valid for --cert.
    return certificates.sort((a, b) => a.idHex.localeCompare(b.idHex) || a.label.localeCompare(b.label) || Buffer.compare(a.der, b.der));
  }

  /** Logs the user in. Without a PIN on a PIN-pad reader, the reader asks for it. */
  login(pin: string | undefined): void {
    try {
      this.lib.C_Login(this.session, pkcs11js.CKU_USER, pin);
      this.loggedIn = true;
    } catch (err) {
      if ((err as { code?: number }).code === CKR.USER_ALREADY_LOGGED_IN) {
        this.loggedIn = true;
        return;
      }
      throw mapPkcs11Error(err);
    }
  }

  private mechanismList(): number[] | null {
    if (this.mechanisms === undefined) {
      try {
        this.mechanisms = this.lib.C_GetMechanismList(this.token.slot);
      } catch {
        this.mechanisms = null; // Unknown: fall back to the standard choice.
      }
    }
    return this.mechanisms;
  }

  private offers(mechanism: number): boolean | null {
    const list = this.mechanismList();
    return list === null ? null : list.includes(mechanism);
  }

  private privateKeyFor(certificate: TokenCertificate): Buffer {
    let keys: Buffer[];
    try {
      keys = this.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: certificate.id },
      ]);
    } catch (err) {
      throw mapPkcs11Error(err);
    }
    const key = keys[0];
    if (!key || certificate.id.length === 0) throw cardError('no_certificate', 'no_private_key');
    return key;
  }

  /**
   * Signs `data` with the key whose CKA_ID is the certificate's (after {@link login}), then checks the
   * result with the certificate's public key, so a key/certificate mismatch is reported here in plain
   * words rather than as `bad_signature` from the server.
   */
  sign(certificate: TokenCertificate, data: Buffer, options: { rsaPss: boolean }): Signature {
    const key = certificate.key;
    if (key.kind === 'unsupported') throw cardError('no_certificate', 'unsupported_key', { type: key.description });
    const handle = this.privateKeyFor(certificate);
    const { algorithm, mechanism, input } = this.plan(key, data, options);
    let signature: Buffer;
    try {
      this.lib.C_SignInit(this.session, mechanism, handle);
      signature = Buffer.from(this.lib.C_Sign(this.session, input, Buffer.alloc(1024)));
    } catch (err) {
      throw mapPkcs11Error(err);
    }
    if (!verifies(certificate, algorithm, data, signature)) throw cardError('token_error', 'signature_mismatch');
    return { algorithm, signature };
  }

  /** Which mechanism signs, and over which bytes (the challenge, or its hash when the token only signs hashes). */
  private plan(
    key: Exclude<KeyKind, { kind: 'unsupported' }>,
    data: Buffer,
    options: { rsaPss: boolean },
  ): { algorithm: SignatureAlgorithm; mechanism: pkcs11js.Mechanism; input: Buffer } {
    if (key.kind === 'ec') {
      // SoftHSM (and many cards) lack CKM_ECDSA_SHA256: hash here and sign with plain CKM_ECDSA, which
      // returns the raw r‖s the protocol wants.
      const [algorithm, hash, combined] =
        key.curve === 'P-256' ? (['ES256', 'sha256', CKM_ECDSA_SHA256] as const) : (['ES384', 'sha384', CKM_ECDSA_SHA384] as const);
      if (this.offers(combined) === true) return { algorithm, mechanism: { mechanism: combined }, input: data };
      return { algorithm, mechanism: { mechanism: pkcs11js.CKM_ECDSA }, input: createHash(hash).update(data).digest() };
    }
    const digest = () => createHash('sha256').update(data).digest();
    if (options.rsaPss) {
      const parameter: pkcs11js.RsaPSS = { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, saltLen: 32 };
      if (this.offers(pkcs11js.CKM_SHA256_RSA_PKCS_PSS) !== false)
        return { algorithm: 'PS256', mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter }, input: data };
      if (this.offers(pkcs11js.CKM_RSA_PKCS_PSS))
        return { algorithm: 'PS256', mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter }, input: digest() };
      throw cardError('token_error', 'unsupported_mechanism', { mechanism: 'RSA-PSS' });
    }
    if (this.offers(pkcs11js.CKM_SHA256_RSA_PKCS) !== false) return { algorithm: 'RS256', mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, input: data };
    if (this.offers(pkcs11js.CKM_RSA_PKCS))
      return { algorithm: 'RS256', mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS }, input: Buffer.concat([SHA256_DIGEST_INFO, digest()]) };
    throw cardError('token_error', 'unsupported_mechanism', { mechanism: 'RSA PKCS#1 v1.5' });
  }

  /** Logs out and closes the session; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.loggedIn) {
      try {
        this.lib.C_Logout(this.session);
      } catch {
        // Cleanup only.
      }
      this.loggedIn = false;
    }
    try {
      this.lib.C_CloseSession(this.session);
    } catch {
      // Cleanup only.
    }
  }
}

/** Verifies a signature the way Kapı will (and the way the tests do). */
export function verifies(certificate: TokenCertificate, algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer): boolean {
  const key = certificate.x509.publicKey;
  try {
    switch (algorithm) {
      case 'RS256':
        return verifySignature('sha256', data, key, signature);
      case 'PS256':
        return verifySignature('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      case 'ES256':
        return verifySignature('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ES384':
        return verifySignature('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
  } catch {
    return false;
  }
}
