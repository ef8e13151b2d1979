import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import type { StateStore } from '../../adapters/storage/port.js';

// Checks a DPoP-bound access token of the mobile app (RFC 9449 §7): the token is Kapı's, live, issued
// to the app's client and bound to the key that signed the DPoP proof of this very request.

export interface AppToken {
  accountId: string;
  clientId: string;
  acr: string | undefined;
  amr: string[];
  /** When the token was issued, and when the sign-in behind it happened (epoch seconds). */
  iat: number;
  authTime: number | undefined;
  /** The sign-in session the token came from. */
  sessionUid: string | undefined;
}

/** How old a DPoP proof may be (its `iat`), before the clock tolerance is added. */
export const PROOF_AGE_SECONDS = 120;

/** The window of a proof's `iat`, shared with the provider's own DPoP check (src/oidc/configuration.ts). */
export function dpopIatTimely(iat: unknown, toleranceSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  return typeof iat === 'number' && iat <= nowSeconds + toleranceSeconds && iat >= nowSeconds - PROOF_AGE_SECONDS - toleranceSeconds;
}

export async function verifyDpopAccessToken(
  input: { authorization: string | undefined; dpop: string | undefined; htm: string; htu: string },
  deps: { provider: Provider; state: StateStore; clientId: string; clockToleranceSeconds: number },
): Promise<AppToken | undefined> {
  const m = /^DPoP ([A-Za-z0-9._~+/-]+=*)$/.exec(input.authorization ?? '');
  if (!m || !input.dpop) return undefined;
  const value = m[1]!;
  const token = (await deps.provider.AccessToken.find(value)) as unknown as
    | {
        accountId?: string;
        clientId?: string;
        jkt?: string;
        isExpired?: boolean;
        iat?: number;
        sessionUid?: string;
        extra?: { acr?: string; amr?: string[]; auth_time?: number };
      }
    | undefined;
  if (!token || token.isExpired || !token.accountId || token.clientId !== deps.clientId || !token.jkt) return undefined;
  try {
    const { payload, protectedHeader } = await jwtVerify(input.dpop, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      maxTokenAge: `${PROOF_AGE_SECONDS}s`,
      clockTolerance: deps.clockToleranceSeconds,
    });
    if (payload.htm !== input.htm || payload.htu !== input.htu) return undefined;
    if (payload.ath !== createHash('sha256').update(value).digest('base64url')) return undefined;
    if (typeof payload.jti !== 'string' || !payload.jti) return undefined;
    if ((await calculateJwkThumbprint(protectedHeader.jwk!, 'sha256')) !== token.jkt) return undefined;
    if (!(await deps.state.setIfAbsent(`dpop-rs:{${token.jkt}}:${payload.jti}`, '1', PROOF_AGE_SECONDS * 2))) return undefined;
  } catch {
    return undefined;
  }
  return {
    accountId: token.accountId,
    clientId: token.clientId,
    acr: token.extra?.acr,
    amr: token.extra?.amr ?? [],
    iat: token.iat ?? 0,
    authTime: token.extra?.auth_time,
    sessionUid: token.sessionUid,
  };
}
