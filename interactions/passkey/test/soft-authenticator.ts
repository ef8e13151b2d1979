import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

// A software WebAuthn authenticator (packed "none" attestation, ES256) for tests that speak HTTP without
// a browser: it makes the same bytes an authenticator makes (WebAuthn §6.1 authenticator data, §6.5
// attestation object, §5.8.1 client data), so Kapı's checks (challenge, origin, rpId, flags, counter,
// signature) run on it for real. Options let a test make it lie: another origin or rpId, no user
// verification, a counter that goes back.

const b64 = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicXY: { x: Buffer; y: Buffer };
  rpId: string;
  userHandle: string;
  counter: number;
  backupEligible: boolean;
}

export interface Ceremony {
  /** The origin the "browser" says it is on. */
  origin: string;
  /** The rpId whose hash goes into the authenticator data (default: the options'). */
  rpId?: string;
  userVerified?: boolean;
  /** Counter to report (default: one more than last time). */
  counter?: number;
}

function flags(c: { userVerified: boolean; backupEligible: boolean; attested?: boolean }): number {
  return 0x01 | (c.userVerified ? 0x04 : 0) | (c.backupEligible ? 0x08 | 0x10 : 0) | (c.attested ? 0x40 : 0);
}

function counterBytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly options: { backupEligible?: boolean } = {}) {}

  create(options: PublicKeyCredentialCreationOptionsJSON, ceremony: Ceremony): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const rpId = ceremony.rpId ?? options.rp.id ?? new URL(ceremony.origin).hostname;
    const credential: SoftCredential = {
      id: randomBytes(32),
      privateKey,
      publicXY: { x: Buffer.from(jwk.x!, 'base64url'), y: Buffer.from(jwk.y!, 'base64url') },
      rpId,
      userHandle: options.user.id,
      counter: ceremony.counter ?? 0,
      backupEligible: this.options.backupEligible ?? false,
    };
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(credential.publicXY.x)],
        [-3, new Uint8Array(credential.publicXY.y)],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flags({ userVerified: ceremony.userVerified ?? true, backupEligible: credential.backupEligible, attested: true })]),
      counterBytes(credential.counter),
      Buffer.alloc(16),
      idLength,
      credential.id,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: ceremony.origin, crossOrigin: false }));
    this.credentials.push(credential);
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64(clientDataJSON), attestationObject: b64(attestationObject), transports: ['internal'] },
    };
  }

  /** An assertion with the given credential (default: the last one created), as navigator.credentials.get answers. */
  get(options: PublicKeyCredentialRequestOptionsJSON, ceremony: Ceremony, credential = this.credentials.at(-1)): AuthenticationResponseJSON {
    if (!credential) throw new Error('no credential');
    credential.counter = ceremony.counter ?? credential.counter + 1;
    const rpId = ceremony.rpId ?? options.rpId ?? credential.rpId;
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flags({ userVerified: ceremony.userVerified ?? true, backupEligible: credential.backupEligible })]),
      counterBytes(credential.counter),
    ]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: ceremony.origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64(clientDataJSON), authenticatorData: b64(authData), signature: b64(signature), userHandle: credential.userHandle },
    };
  }
}
