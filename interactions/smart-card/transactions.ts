import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { CertificateRefusal } from '../../adapters/pki/port.js';
import type { StateStore } from '../../adapters/storage/port.js';

// Out-of-band transactions between a waiting browser and the signer. Each is one record in the state
// store, changed only by compare-and-set, so two posts for one transaction cannot both win.

export type SmartCardProfile = 'e-signature' | 'id-card';

/** What the signer reports when it cannot sign (its refusal body). */
export type SignerRefusal = 'pin_incorrect' | 'pin_locked' | 'cancelled' | 'no_certificate' | 'token_error';

/** Why a card sign-in failed: the signer's refusal, or Kapı's checks of the signature and certificate. */
export type SmartCardFailure = SignerRefusal | CertificateRefusal | 'bad_signature' | 'number_mismatch' | 'failed';

export interface SmartCardTransaction {
  id: string;
  code: string;
  profile: SmartCardProfile;
  nationalId: string;
  clientName: string;
  /** Where the browser that started the sign-in is (adapters/geoip; 'local' for private networks): the signer shows it. */
  place?: string;
  /** base64url of the exact bytes the signer must sign. */
  challenge: string;
  iat: number;
  exp: number;
  status: 'pending' | 'verifying' | 'accepted' | 'failed';
  reason?: SmartCardFailure;
  certificate?: { fingerprint: string; holder: string; issuer: string; serialNumber: string };
}

/** Letters and digits that cannot be mistaken for each other when read off a screen and typed. */
const CODE_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';
const CODE_LENGTH = 8;
export const TRANSACTION_SECONDS = 5 * 60;

export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function isWellFormedCode(code: string): boolean {
  return code.length === CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c));
}

/** The bytes to sign: fixed key order, no spaces (docs/smart-card-protocol.md). */
export function challengeBytes(issuer: string, id: string, nonce: string, iat: number, profile: SmartCardProfile): Buffer {
  return Buffer.from(JSON.stringify({ purpose: 'kapi-smart-card-login', iss: issuer, txn: id, nonce, iat, profile }), 'utf8');
}

export class SmartCardTransactions {
  constructor(
    private readonly state: StateStore,
    private readonly issuer: string,
  ) {}

  private key(code: string): string {
    return `sc:{${code}}`;
  }

  async open(
    profile: SmartCardProfile,
    nationalId: string,
    clientName: string,
    origin: { place?: string | undefined } = {},
    now = Math.floor(Date.now() / 1000),
  ): Promise<SmartCardTransaction> {
    const id = `sct_${randomUUID()}`;
    const nonce = randomBytes(32).toString('base64url');
    for (let attempt = 0; attempt < 5; attempt++) {
      let code = '';
      for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
      const tx: SmartCardTransaction = {
        id,
        code,
        profile,
        nationalId,
        clientName,
        ...(origin.place ? { place: origin.place } : {}),
        challenge: challengeBytes(this.issuer, id, nonce, now, profile).toString('base64url'),
        iat: now,
        exp: now + TRANSACTION_SECONDS,
        status: 'pending',
      };
      if (await this.state.setIfAbsent(this.key(code), JSON.stringify(tx), TRANSACTION_SECONDS + 60)) return tx;
    }
    throw new Error('could not allocate a transaction code');
  }

  async find(code: string): Promise<{ tx: SmartCardTransaction; raw: string } | undefined> {
    const raw = await this.state.get(this.key(code));
    return raw ? { tx: JSON.parse(raw) as SmartCardTransaction, raw } : undefined;
  }

  /** Moves a transaction on, only if nobody else changed it since it was read. */
  async update(current: { tx: SmartCardTransaction; raw: string }, next: SmartCardTransaction): Promise<boolean> {
    const ttl = Math.max(60, next.exp - Math.floor(Date.now() / 1000) + 60);
    return this.state.compareAndSet(this.key(current.tx.code), current.raw, JSON.stringify(next), ttl);
  }

  async close(code: string): Promise<void> {
    await this.state.del(this.key(code));
  }
}
