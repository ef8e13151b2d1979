import { createCipheriv, createDecipheriv, createHash, createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

// Secrets at rest (client secrets, private signing keys, TOTP secrets) are sealed with AES-256-GCM
// under the master key. The output names its version so the scheme can change without a migration.
const VERSION = 'v1';

export class Sealer {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
    this.#key = masterKey;
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context = ''): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !body || !tag) throw new Error('unsupported sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // Node says "unable to authenticate data"; the operator needs to know which key (a database restored
      // beside another master key refuses to start with this message: README "Backups and key material").
      throw new Error(
        `a sealed value (${context || 'no context'}) does not open with this key: in the database, sealed with another KAPI_MASTER_KEY than this one, or altered`,
      );
    }
  }
}

/** Tokens, codes and OTPs are stored under this hash of their value, never the value itself. */
export function sha256(value: string): string {
  // The one-shot form: no Hash object per call (every token, code and session id is hashed, issue 27).
  return hash('sha256', value, 'base64url');
}

export function hmac(key: Buffer | string, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A key for one purpose derived from the master key, so no two features share key material. */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', masterKey).update(`kapi:${purpose}`).digest();
}
