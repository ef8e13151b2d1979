import { createHash } from 'node:crypto';
import { errors } from 'oidc-provider';
import { isFinishedInteraction } from '../../src/engine/flow-store.js';
import { Sealer, sha256 } from '../../src/security/crypto.js';
import type { OidcPayload } from './port.js';

// What every oidc-provider adapter of Kapı shares: how ids are hidden at rest, which models belong to
// a grant, and what a second consume looks like.
//
// Ids at rest. Every model but Client is stored under sha256(id), and the raw id (the payload's jti)
// is removed from the stored payload and put back by find. The ids of codes, tokens, sessions and
// interactions are bearer credentials (cookie values, codes, tokens); hashing them all, not a chosen
// few, means a dump of Redis or of oidc_models gives nothing that can be replayed. The other keys that
// lead to a record (a session's uid, a device flow's user code, a grant id) are stored hashed too.
// findByUid/findByUserCode must still return the jti; for them the raw id is kept encrypted under a
// key derived from the uid or user code (a "lookup box"), so only someone who already knows that
// value can recover it.

/** Models whose records belong to a grant and go when it is revoked (oidc-provider's own list). */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** Called when consume() finds a record already used; it revokes what that grant issued. */
export type ReplayHandler = (grantId: string) => Promise<void>;

export interface AdapterOptions {
  /** Replaces the default reaction to a replay (revokeByGrantId on the same backend). */
  onReplay?: ReplayHandler | undefined;
}

/** A payload as it is kept: no jti, no consumed (each backend keeps that beside it), hashed links. */
export interface StoredForm {
  key: string; // sha256(id)
  body: string; // JSON of the payload without jti and consumed
  grantId: string | undefined; // raw, to revoke the grant on a replay
  grantKey: string | undefined; // sha256(grantId), for grantable models only
  consumed: number | undefined; // epoch seconds
  uid: { key: string; box: string } | undefined;
  userCode: { key: string; box: string } | undefined;
  /** An interaction that carries oidc-provider's result: never written back unfinished (isFinishedInteraction in src/engine/flow-store.ts). */
  finished: boolean;
}

export function recordKey(id: string): string {
  return sha256(id);
}

export function lookupKey(value: string): string {
  return sha256(value);
}

export function toStored(model: string, id: string, payload: OidcPayload): StoredForm {
  const { jti: _jti, consumed, ...rest } = payload;
  const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
  return {
    key: recordKey(id),
    body: JSON.stringify(rest),
    grantId,
    grantKey: grantId && GRANTABLE_MODELS.has(model) ? lookupKey(grantId) : undefined,
    consumed: typeof consumed === 'number' ? consumed : consumed ? epochNow() : undefined,
    // oidc-provider looks up by uid only for sessions (an interaction's uid is its id).
    uid: model === 'Session' && typeof payload.uid === 'string' ? lookup(id, payload.uid, 'uid') : undefined,
    userCode: typeof payload.userCode === 'string' ? lookup(id, payload.userCode, 'userCode') : undefined,
    finished: model === 'Interaction' && isFinishedInteraction(payload),
  };
}

export function fromStored(id: string, body: string | OidcPayload, consumed: number | undefined): OidcPayload {
  const payload: OidcPayload = typeof body === 'string' ? (JSON.parse(body) as OidcPayload) : { ...body };
  if (consumed !== undefined) payload.consumed = consumed;
  payload.jti = id;
  return payload;
}

function lookup(id: string, value: string, purpose: string): { key: string; box: string } {
  return { key: lookupKey(value), box: boxSealer(value).seal(id, purpose) };
}

/** Recovers the raw id from a lookup box; undefined when the box does not open with this value. */
export function openLookupBox(box: string, value: string, purpose: 'uid' | 'userCode'): string | undefined {
  try {
    return boxSealer(value).open(box, purpose);
  } catch {
    return undefined;
  }
}

// The box key is a different hash of the value than the lookup key, so the key that finds the box
// does not open it.
function boxSealer(value: string): Sealer {
  return new Sealer(createHash('sha256').update(`kapi:lookup-box:${value}`).digest());
}

export function alreadyUsed(): Error {
  return new errors.InvalidGrant('token or code already used');
}

export function epochNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** oidc-provider's expiresIn (seconds, or undefined for no expiry) as milliseconds. */
export function expiryMs(expiresIn: number | undefined): number | undefined {
  return typeof expiresIn === 'number' ? Math.max(1, Math.ceil(expiresIn * 1000)) : undefined;
}
