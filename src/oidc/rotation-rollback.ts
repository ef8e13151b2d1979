import type Provider from 'oidc-provider';
import type { ConsumeRestore } from '../../adapters/storage/port.js';
import { log } from '../log.js';
import type { AfterRoutes } from './after-routes.js';

// A refresh_token grant with rotation writes in three steps: it consumes the presented refresh token and
// saves its successor (Postgres), then saves the new access token (Redis, or memory). When a later step
// fails (a Redis failover, a lost database connection) the institution gets 503 and never sees the
// successor, yet the token it holds is already consumed: its retry would be "refresh token already used",
// which oidc-provider treats as a replay and answers by revoking the person's whole grant. So a token
// request that ends in a server error takes its rotation back: the presented token becomes usable again
// and the successor nobody received is deleted. Found by the soak (bench/soak.ts) in a Redis failover.
//
// Safety: single use still holds. A replay of the presented token that arrived while the failing request
// ran met the consumed mark and revoked the grant as before; after the take-back the token is as it was
// before the failed request, which no one else has seen an answer for. When the take-back itself cannot
// be written (the database is the part that failed), the token stays consumed: the 503 stands and the
// institution signs the person in again, as before this existed.

interface TokenEntities {
  RotatedRefreshToken?: { jti: string };
  RefreshToken?: { jti: string };
}

export function takeBackFailedRotations(provider: Provider, after: AfterRoutes): void {
  after.add((ctx) => {
    if (ctx.status < 500 || ctx.oidc?.route !== 'token') return;
    const { RotatedRefreshToken: rotated, RefreshToken: successor } = ctx.oidc.entities as TokenEntities;
    if (!rotated) return;
    return takeBack(provider, rotated, successor, ctx.status);
  });
}

async function takeBack(provider: Provider, rotated: { jti: string }, successor: { jti: string } | undefined, status: number): Promise<void> {
  const adapter = provider.RefreshToken.adapter as unknown as ConsumeRestore & { destroy(id: string): Promise<void> };
  try {
    if (successor && successor.jti !== rotated.jti) await adapter.destroy(successor.jti);
    await adapter.restoreConsumed(rotated.jti);
    log.warn({ status }, 'refresh token rotation taken back after a failed token request');
  } catch (err) {
    log.error({ err }, 'could not take back the rotation of a failed token request; the refresh token stays consumed');
  }
}
