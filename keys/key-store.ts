import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { exportJWK, generateKeyPair } from 'jose';
import type { Sealer } from '../src/security/crypto.js';
import { KapiError } from '../src/errors.js';

// Signing-key life cycle: next -> active -> retiring -> retired.
//  - `next` keys are published in JWKS before they sign, so relying parties that cache JWKS know them
//    by the time they are used;
//  - `active` keys sign;
//  - `retiring` keys no longer sign but stay published until every token they signed has expired;
//  - `retired` keys are gone from JWKS (the row is kept for the audit trail, the private part erased).
export type KeyState = 'next' | 'active' | 'retiring' | 'retired';
export const KEY_ALGS = ['ES256', 'RS256'] as const;
export type KeyAlg = (typeof KEY_ALGS)[number];

export interface StoredKey {
  kid: string;
  alg: KeyAlg;
  state: KeyState;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
  activatedAt: Date | null;
  retireAfter: Date | null;
}

interface KeyRow {
  kid: string;
  alg: KeyAlg;
  private_jwk: string;
  public_jwk: Record<string, unknown>;
  state: KeyState;
  created_at: Date;
  activated_at: Date | null;
  retire_after: Date | null;
}

/** How long a `next` key is published before a rotation may activate it (unless forced). */
export const MIN_NEXT_KEY_AGE_SECONDS = 60 * 60;

export type ProviderJwk = Record<string, unknown> & { kid: string };

export class KeyStore {
  constructor(
    private readonly db: Knex,
    private readonly sealer: Sealer,
    /** Longest lifetime of anything signed (ID tokens, JWT access tokens, logout tokens), in seconds. */
    private readonly maxSignedLifetime: number,
  ) {}

  private async generate(alg: KeyAlg, state: KeyState, trx: Knex): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    // Unique kid: a random UUID, never derived from a counter or a date that two processes could share.
    const kid = `${alg.toLowerCase()}-${randomUUID()}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
    // RSA keys carry no alg so that PS256 (FAPI) and RS256 both use them; EC keys are ES256 only.
    if (alg === 'ES256') Object.assign(privateJwk, { alg }), Object.assign(publicJwk, { alg });
    await trx('signing_keys').insert({
      kid,
      alg,
      private_jwk: this.sealer.seal(JSON.stringify(privateJwk), `signing_key:${kid}`),
      public_jwk: JSON.stringify(publicJwk),
      state,
      activated_at: state === 'active' ? trx.fn.now() : null,
    });
    return kid;
  }

  async list(): Promise<StoredKey[]> {
    const rows = await this.db<KeyRow>('signing_keys').orderBy('created_at', 'asc');
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      state: r.state,
      publicJwk: r.public_jwk,
      createdAt: r.created_at,
      activatedAt: r.activated_at,
      retireAfter: r.retire_after,
    }));
  }

  /** First start: one active and one next key per algorithm. Safe to call on every start. */
  async ensureKeys(): Promise<void> {
    await this.db.transaction(async (trx) => {
      // Serialise concurrent first starts of several processes on the same database.
      await trx.raw('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE');
      for (const alg of KEY_ALGS) {
        const states = (await trx<KeyRow>('signing_keys').where({ alg }).select('state')).map((r) => r.state);
        if (!states.includes('active')) await this.generate(alg, 'active', trx);
        if (!states.includes('next')) await this.generate(alg, 'next', trx);
      }
    });
  }

  /**
   * Rotation: each `next` key becomes active, each active key starts retiring (kept verifiable for the
   * longest signed lifetime), a new `next` key is published, and retiring keys past their time retire.
   */
  async rotate(now = new Date(), options: { force?: boolean } = {}): Promise<{ activated: string[]; retiring: string[]; retired: string[] }> {
    return this.db.transaction(async (trx) => {
      await trx.raw('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE');
      const activated: string[] = [];
      const retiring: string[] = [];
      const retireAfter = new Date(now.getTime() + this.maxSignedLifetime * 1000);
      const nextKeys = await trx<KeyRow>('signing_keys').where({ state: 'next' });
      // A next key must have been in JWKS long enough for relying parties to have fetched it.
      const tooYoung = KEY_ALGS.some((alg) => {
        const next = nextKeys.find((r) => r.alg === alg);
        return !next || now.getTime() - new Date(next.created_at).getTime() < MIN_NEXT_KEY_AGE_SECONDS * 1000;
      });
      if (tooYoung && !options.force) {
        throw new KapiError(
          'invalid_request',
          `the next keys have been published for less than ${MIN_NEXT_KEY_AGE_SECONDS / 60} minutes; relying parties may not know them yet (wait, or force the rotation)`,
        );
      }
      for (const alg of KEY_ALGS) {
        const rows = await trx<KeyRow>('signing_keys').where({ alg }).whereIn('state', ['next', 'active']);
        let next = rows.find((r) => r.state === 'next')?.kid;
        if (!next) next = await this.generate(alg, 'next', trx);
        for (const r of rows.filter((x) => x.state === 'active')) {
          await trx('signing_keys').where({ kid: r.kid }).update({ state: 'retiring', retiring_at: now, retire_after: retireAfter });
          retiring.push(r.kid);
        }
        await trx('signing_keys').where({ kid: next }).update({ state: 'active', activated_at: now });
        activated.push(next);
        await this.generate(alg, 'next', trx);
      }
      const retired = await this.retireExpired(now, trx);
      return { activated, retiring, retired };
    });
  }

  /** Retiring keys whose signed tokens have all expired leave JWKS; their private part is erased. */
  async retireExpired(now = new Date(), trx: Knex = this.db): Promise<string[]> {
    const rows = await trx<KeyRow>('signing_keys').where({ state: 'retiring' }).andWhere('retire_after', '<=', now).select('kid');
    for (const r of rows) await trx('signing_keys').where({ kid: r.kid }).update({ state: 'retired', private_jwk: '' });
    return rows.map((r) => r.kid);
  }

  /**
   * The keys oidc-provider is built with: active ones first (they sign), then next and retiring ones,
   * limited to verification by `key_ops` so they are published in JWKS but never chosen to sign.
   */
  async providerJwks(): Promise<{ keys: ProviderJwk[] }> {
    const rows = await this.db<KeyRow>('signing_keys').whereIn('state', ['active', 'next', 'retiring']);
    const order: Record<string, number> = { active: 0, next: 1, retiring: 2 };
    rows.sort((a, b) => (order[a.state] ?? 9) - (order[b.state] ?? 9));
    return {
      keys: rows.map((r) => {
        const jwk = JSON.parse(this.sealer.open(r.private_jwk, `signing_key:${r.kid}`)) as ProviderJwk;
        return r.state === 'active' ? jwk : { ...jwk, key_ops: ['verify'] };
      }),
    };
  }

  /** A fingerprint of the published key set: processes compare it to know when to rebuild. */
  async version(): Promise<string> {
    const rows = await this.db<KeyRow>('signing_keys').whereIn('state', ['active', 'next', 'retiring']).select('kid', 'state').orderBy('kid');
    return rows.map((r) => `${r.kid}:${r.state}`).join(',');
  }
}
