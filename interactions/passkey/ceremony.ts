import { createHash, randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { StateStore } from '../../adapters/storage/port.js';
import type { PasskeyDeviceType } from './credentials.js';

// What every WebAuthn ceremony of Kapı shares: the relying party, the single-use challenges, reading
// what the browser posted, and the amr the ceremony proved.

/** The relying party: the issuer's host is its id, the issuer's origin the only origin accepted. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingParty(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name: 'Kapı' };
}

/** How long the person has to use her authenticator (the browser's timeout, and the challenge's life). */
export const CEREMONY_SECONDS = 180;

type Purpose = 'login' | 'register';
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const keyOf = (challenge: string) => `passkey-challenge:{${sha256(challenge)}}`;

/**
 * Challenges in the state store: issued for one purpose and bound to one interaction (its flow's anti-
 * CSRF token) or one account session; redeemed at most once, whatever the outcome, so a response can
 * never be played twice (WebAuthn §13.4.3). Only a hash of the binding is stored.
 */
export class Challenges {
  constructor(private readonly state: StateStore) {}

  async issue(purpose: Purpose, binding: string, data: Record<string, string> = {}): Promise<string> {
    const challenge = randomChallenge();
    await this.state.set(keyOf(challenge), JSON.stringify({ purpose, binding: sha256(binding), data }), CEREMONY_SECONDS);
    return challenge;
  }

  /** The data issued with the challenge, once; undefined if unknown, used, expired, or bound elsewhere. */
  async redeem(purpose: Purpose, challenge: string, binding: string): Promise<Record<string, string> | undefined> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) return undefined;
    const stored = await this.state.take(keyOf(challenge));
    if (!stored) return undefined;
    const issued = JSON.parse(stored) as { purpose: Purpose; binding: string; data: Record<string, string> };
    return issued.purpose === purpose && issued.binding === sha256(binding) ? issued.data : undefined;
  }
}

/** 32 random bytes, base64url: the challenge WebAuthn signs (§13.4.3: at least 16 random bytes). */
function randomChallenge(): string {
  return randomBytes(32).toString('base64url');
}

/** The challenge a response claims to answer (its clientDataJSON), before anything is verified. */
export function claimedChallenge(response: { response: { clientDataJSON: string } }): string {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof clientData.challenge === 'string' ? clientData.challenge : '';
  } catch {
    return '';
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const isB64 = (v: unknown, max = 8192): v is string => typeof v === 'string' && v.length <= max && B64URL.test(v);

function parsed(posted: string | undefined): Record<string, unknown> | undefined {
  if (!posted || posted.length > 16_000) return undefined;
  try {
    const value = JSON.parse(posted) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The assertion the page's script posted, if it has the shape of one (the library checks the rest). */
export function assertionFrom(posted: string | undefined): AuthenticationResponseJSON | undefined {
  const value = parsed(posted);
  const r = value?.response as Record<string, unknown> | undefined;
  if (!value || value.type !== 'public-key' || !isB64(value.id, 1400) || value.rawId !== value.id || !r) return undefined;
  if (!isB64(r.clientDataJSON) || !isB64(r.authenticatorData) || !isB64(r.signature) || (r.userHandle !== undefined && !isB64(r.userHandle, 128)))
    return undefined;
  return {
    id: value.id,
    rawId: value.id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: r.clientDataJSON,
      authenticatorData: r.authenticatorData,
      signature: r.signature,
      ...(r.userHandle ? { userHandle: r.userHandle } : {}),
    },
  };
}

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** The attestation the page's script posted, if it has the shape of one. */
export function attestationFrom(posted: string | undefined): RegistrationResponseJSON | undefined {
  const value = parsed(posted);
  const r = value?.response as Record<string, unknown> | undefined;
  if (!value || value.type !== 'public-key' || !isB64(value.id, 1400) || value.rawId !== value.id || !r) return undefined;
  if (!isB64(r.clientDataJSON) || !isB64(r.attestationObject, 12_000)) return undefined;
  const transports = Array.isArray(r.transports) ? r.transports.filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)) : [];
  return {
    id: value.id,
    rawId: value.id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: r.clientDataJSON,
      attestationObject: r.attestationObject,
      transports: transports as RegistrationResponseJSON['response']['transports'],
    },
  };
}

/**
 * The amr (RFC 8176) of a passkey ceremony, from what it proved: a key synced between devices (backup
 * eligible: `multiDevice`) is a software-secured key, `swk`; one bound to its authenticator is `hwk`.
 * User verification (a PIN, pattern or biometric that unlocks the key; WebAuthn does not say which) is
 * `pin`; presence alone would be `user` (Kapı asks for verification, so a sign-in always has `pin`).
 */
export function amrOf(proof: { deviceType: PasskeyDeviceType; userVerified: boolean }): string[] {
  return [proof.deviceType === 'multiDevice' ? 'swk' : 'hwk', proof.userVerified ? 'pin' : 'user'];
}
