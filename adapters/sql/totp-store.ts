import type { Knex } from 'knex';
import { generateSecret, generateURI, verify } from 'otplib';
import type { TotpCheck, TotpState, TotpStore } from '../../interactions/second-factor/devices/totp.js';
import type { Sealer } from '../../src/security/crypto.js';
import { fixedStatement, runFixed } from '../storage/fixed-sql.js';

// Asked by the sign-in policies on every sign-in: fixed SQL (issue 8).
const STATE = fixedStatement('totp_state', 'select active, activated_at from totp_credentials where account_id = ? limit 1');

// The e-Government Key (TOTP, RFC 6238: SHA-1, 6 digits, 30 s — what the authenticator apps read from
// an otpauth URI). The secret is sealed with the master key; the last accepted time step is kept so
// that a code is accepted once: the update that records it is conditional on a later step, so two
// requests racing with one code cannot both win.

/** One step either side: a phone clock 30 s off still works. */
const EPOCH_TOLERANCE_SECONDS = 30;

/** The e-Government Key port (interactions/second-factor/devices/totp.ts) in SQL. */
export class SqlTotpStore implements TotpStore {
  constructor(
    private readonly db: Knex,
    private readonly sealer: Sealer,
    private readonly issuerName = 'e-Devlet Kapı',
  ) {}

  #context(accountId: string): string {
    return `totp:${accountId}`;
  }

  async state(accountId: string): Promise<TotpState | undefined> {
    const [row] = await runFixed<{ active: boolean; activated_at: Date | string | null }>(this.db, STATE, [accountId]);
    return row ? { active: row.active as boolean, activatedAt: row.activated_at ? new Date(row.activated_at as string) : null } : undefined;
  }

  async isActive(accountId: string): Promise<boolean> {
    return (await this.state(accountId))?.active === true;
  }

  /**
   * Starts an activation: a new secret, inactive until the first valid code. Refused while a key is
   * active (deactivate first). Returns the secret and its otpauth URI, to be shown once.
   */
  async begin(accountId: string, label: string): Promise<{ secret: string; uri: string } | 'already_active'> {
    const secret = generateSecret();
    const sealed = this.sealer.seal(secret, this.#context(accountId));
    const done = await this.db.transaction(async (trx) => {
      const current = await trx('totp_credentials').where({ account_id: accountId }).forUpdate().first('active');
      if (current?.active) return false;
      if (current)
        await trx('totp_credentials').where({ account_id: accountId }).update({ secret_sealed: sealed, last_time_step: null, created_at: trx.fn.now() });
      else await trx('totp_credentials').insert({ account_id: accountId, secret_sealed: sealed });
      return true;
    });
    if (!done) return 'already_active';
    return { secret, uri: generateURI({ issuer: this.issuerName, label, secret }) };
  }

  /** The pending (inactive) secret, to show again on the activation page. */
  async pending(accountId: string, label: string): Promise<{ secret: string; uri: string } | undefined> {
    const row = await this.db('totp_credentials').where({ account_id: accountId, active: false }).first('secret_sealed');
    if (!row) return undefined;
    const secret = this.sealer.open(row.secret_sealed as string, this.#context(accountId));
    return { secret, uri: generateURI({ issuer: this.issuerName, label, secret }) };
  }

  /** Checks a code; when `activate`, the first valid code also activates the pending key. */
  async check(accountId: string, code: string, options: { activate?: boolean; trx?: Knex } = {}): Promise<TotpCheck> {
    const db = options.trx ?? this.db;
    if (!/^[0-9]{6}$/.test(code)) return 'invalid';
    const row = await db('totp_credentials').where({ account_id: accountId, active: !options.activate }).first('secret_sealed', 'last_time_step');
    if (!row) return 'invalid';
    const secret = this.sealer.open(row.secret_sealed as string, this.#context(accountId));
    const result = await verify({ secret, token: code, epochTolerance: EPOCH_TOLERANCE_SECONDS });
    if (!result.valid) return 'invalid';
    const step = (result as { timeStep: number }).timeStep;
    const last = row.last_time_step === null || row.last_time_step === undefined ? -1 : Number(row.last_time_step);
    if (step <= last) return 'reused';
    const update: Record<string, unknown> = { last_time_step: step };
    if (options.activate) Object.assign(update, { active: true, activated_at: db.fn.now() });
    const changed = await db('totp_credentials')
      .where({ account_id: accountId, active: !options.activate })
      .andWhere((q) => q.whereNull('last_time_step').orWhere('last_time_step', '<', step))
      .update(update);
    return changed === 1 ? 'ok' : 'reused';
  }

  /** Removes the key; true when there was an active one. */
  async deactivate(accountId: string, trx: Knex = this.db): Promise<boolean> {
    const deleted = await trx('totp_credentials').where({ account_id: accountId, active: true }).delete();
    return deleted === 1;
  }
}
