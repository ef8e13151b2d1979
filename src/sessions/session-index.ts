import type Provider from 'oidc-provider';
import type { Database } from '../../adapters/storage/port.js';
import type { OidcAdapterClass } from '../../adapters/storage/oidc-adapters.js';
import { isAcr, type Acr } from '../assurance/levels.js';
import { log } from '../log.js';
import { SESSION_LIFETIMES } from '../oidc/level-checks.js';
import type { LogoutOutbox } from '../oidc/logout-outbox.js';
import type { TokenRevocations } from './token-revocations.js';
import { purgeTable, RETENTION_BATCH } from '../security/retention.js';

/** One of a person's sign-in sessions, as the account pages show it. */
export interface LoginSession {
  uid: string;
  accountId: string;
  /** Method ids that proved the person in this session (e.g. ['password', 'sms']). */
  methods: string[];
  acr: Acr;
  amr: string[];
  signedInAt: Date;
  createdAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  endedAt: Date | null;
  endReason: string | null;
}

export interface SignInRecord {
  uid: string;
  accountId: string;
  methods: string[];
  acr: Acr;
  amr: string[];
  /** Epoch seconds of the sign-in. */
  signedInAt: number;
  ip: string | undefined;
  userAgent: string | undefined;
  /** The sign-in added to an existing session of the same person (a step-up): keep its earlier methods. */
  continuesSession: boolean;
}

export type EndReason = 'signed_out_everywhere' | 'signed_out' | 'password_cancelled' | 'password_changed' | 'security_setting' | 'account_closed';

interface Row {
  uid: string;
  account_id: string;
  methods: string[];
  acr: string;
  amr: string[];
  signed_in_at: Date;
  created_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  ended_at: Date | null;
  end_reason: string | null;
}

interface SessionPayload {
  jti?: string;
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
}

// Every model that can hang off a grant; revokeByGrantId spans a backend, so one per backend would do,
// but naming them all keeps this right if the routing of models changes.
const GRANT_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

// Method ids and amr values never contain commas, so they travel as one comma-separated text each.
const RECORD_SQL = `insert into login_sessions as s (uid, account_id, methods, acr, amr, signed_in_at, expires_at, ip, user_agent)
  values (?, ?, string_to_array(?, ','), ?, string_to_array(?, ','), ?, ?, ?, ?)
  on conflict (uid) do update set
    methods = case when ?::boolean and s.account_id = excluded.account_id and s.ended_at is null
      then array(select m from unnest(s.methods || excluded.methods) with ordinality as t(m, i) group by m order by min(i))
      else excluded.methods end,
    created_at = case when s.account_id = excluded.account_id and s.ended_at is null then s.created_at else now() end,
    account_id = excluded.account_id, acr = excluded.acr, amr = excluded.amr, signed_in_at = excluded.signed_in_at,
    expires_at = excluded.expires_at, ip = excluded.ip, user_agent = excluded.user_agent, ended_at = null, end_reason = null`;

/** How long an ended session's mark must live: until the session would have expired anyway, plus a margin. */
function markLifetime(row: Row | undefined): number {
  const longest = Math.max(...Object.values(SESSION_LIFETIMES).map((l) => l.absolute));
  const remaining = row ? Math.ceil((new Date(row.expires_at).getTime() - Date.now()) / 1000) : longest;
  return Math.min(Math.max(remaining, 0), longest) + 300;
}

function toSession(row: Row): LoginSession {
  return {
    uid: row.uid,
    accountId: row.account_id,
    methods: row.methods,
    acr: isAcr(row.acr) ? row.acr : 'low',
    amr: row.amr,
    signedInAt: new Date(row.signed_in_at),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    endedAt: row.ended_at ? new Date(row.ended_at) : null,
    endReason: row.end_reason,
  };
}

/**
 * The index of sign-in sessions (migrations/002_login_sessions.ts). oidc-provider owns the sessions
 * themselves; this records who and how, and ends them on request: the session record is destroyed,
 * grants that do not outlive a logout are revoked (as oidc-provider's own end_session does), and each
 * institution with a back-channel logout URI is told. Without a provider (the `kapi` command) the
 * logout tokens go through the durable outbox, which the server's worker delivers.
 */
export class SessionIndex {
  #provider: (() => Provider) | undefined;
  #outbox: LogoutOutbox | undefined;

  constructor(
    private readonly db: Database,
    private readonly adapter: OidcAdapterClass,
    private readonly revocations?: TokenRevocations,
  ) {}

  /** The server attaches its provider so logout tokens are sent at once (failures go to the outbox). */
  attach(provider: () => Provider, outbox: LogoutOutbox): void {
    this.#provider = provider;
    this.#outbox = outbox;
  }

  async record(r: SignInRecord): Promise<void> {
    const signedInAt = new Date(r.signedInAt * 1000);
    const expiresAt = new Date(signedInAt.getTime() + SESSION_LIFETIMES[r.acr].absolute * 1000);
    // One statement, on every sign-in: a new session is inserted; a step-up of a live session of the
    // same person keeps its earlier methods (in order, without repeats); anything else starts afresh.
    await this.db.raw(RECORD_SQL, [
      r.uid,
      r.accountId,
      r.methods.join(','),
      r.acr,
      r.amr.join(','),
      signedInAt,
      expiresAt,
      r.ip?.slice(0, 64) ?? null,
      r.userAgent?.slice(0, 512) ?? null,
      r.continuesSession,
    ]);
  }

  async find(uid: string): Promise<LoginSession | undefined> {
    const row = (await this.db('login_sessions').where({ uid }).first()) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  /** The person's sessions that have not ended or expired, newest first. */
  async listActive(accountId: string, now = new Date()): Promise<LoginSession[]> {
    const rows = (await this.db('login_sessions')
      .where({ account_id: accountId })
      .whereNull('ended_at')
      .andWhere('expires_at', '>', now)
      .orderBy('signed_in_at', 'desc')
      .limit(100)) as Row[];
    return rows.map(toSession);
  }

  /** Ends one session of this account; false when it does not exist or has ended already. */
  async end(accountId: string, uid: string, reason: EndReason): Promise<boolean> {
    const row = (await this.db('login_sessions').where({ uid, account_id: accountId }).whereNull('ended_at').first()) as Row | undefined;
    if (!row) return false;
    await this.#endOne(row, reason);
    return true;
  }

  /**
   * Ends the account's sessions: all, only those a given method took part in, and never the one named in
   * `except` (the session making the change). With `revokeTokens`, every grant and refresh token of the
   * person goes first, `offline_access` ones included, and Kapı's own APIs refuse her tokens issued
   * before now (src/sessions/token-revocations.ts): what a password change or reset, an office
   * cancellation and "sign out everywhere" must do (DESIGN.md, third round, "Endings").
   */
  async endForAccount(
    accountId: string,
    options: { startedWith?: string; reason: EndReason | string; except?: string; revokeTokens?: boolean },
  ): Promise<number> {
    if (options.revokeTokens) {
      if (!this.revocations) throw new Error('this session index cannot revoke tokens');
      await this.revocations.revokeAccount(accountId, options.reason);
    }
    let query = this.db('login_sessions').where({ account_id: accountId }).whereNull('ended_at');
    if (options.except) query = query.whereNot({ uid: options.except });
    const rows = (await query) as Row[];
    let ended = 0;
    for (const row of rows) {
      if (options.startedWith && !row.methods.includes(options.startedWith)) continue;
      await this.#endOne(row, options.reason);
      ended += 1;
    }
    return ended;
  }

  /**
   * Whether the index says this session must not be honoured: it has ended, or its row names another
   * person. A session the index does not know is not refused here (its row may not be written yet).
   */
  async isEnded(uid: string, accountId: string): Promise<boolean> {
    const row = (await this.db('login_sessions').first('account_id', 'ended_at').where({ uid })) as Pick<Row, 'account_id' | 'ended_at'> | undefined;
    return row !== undefined && (row.ended_at !== null || row.account_id !== accountId);
  }

  /**
   * oidc-provider ended a session itself (RP-initiated logout: it revoked the grants and sent the
   * back-channel logout tokens): the index row ends too, and the session is marked so that a request
   * in flight does not write it back.
   */
  async endedByProvider(uid: string, reason: EndReason): Promise<void> {
    await this.db('login_sessions').where({ uid }).whereNull('ended_at').update({ ended_at: new Date(), end_reason: reason });
    const row = (await this.db('login_sessions').where({ uid }).first()) as Row | undefined;
    const sessions = new this.adapter('Session');
    await sessions.markSessionEnded(uid, markLifetime(row));
    // A request that loaded the session before the logout may have written it back meanwhile.
    const payload = (await sessions.findByUid(uid)) as SessionPayload | undefined;
    if (payload?.jti) await sessions.destroy(payload.jti);
  }

  async #endOne(row: Row, reason: string): Promise<void> {
    // Mark first: a half-finished ending is retried by the next request, never shown as active, and
    // the authorization endpoint refuses the session from now on (src/oidc/level-checks.ts).
    await this.db('login_sessions')
      .where({ uid: row.uid })
      .update({ ended_at: new Date(), end_reason: reason.slice(0, 32) });
    const sessions = new this.adapter('Session');
    // Then the session's own mark, before it is read and destroyed: a request in flight that loaded the
    // session before this point cannot write it back after it (the adapters check the mark on every save).
    await sessions.markSessionEnded(row.uid, markLifetime(row));
    const payload = (await sessions.findByUid(row.uid)) as SessionPayload | undefined;
    if (!payload) return; // expired already: nothing left to end
    for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
      if (authorization.grantId && !authorization.persistsLogout) await this.#revokeGrant(authorization.grantId);
      await this.#backchannelLogout(clientId, row.account_id, authorization.sid);
    }
    if (payload.jti) await sessions.destroy(payload.jti);
  }

  async #revokeGrant(grantId: string): Promise<void> {
    await Promise.all(GRANT_MODELS.map((model) => new this.adapter(model).revokeByGrantId(grantId)));
    await new this.adapter('Grant').destroy(grantId);
  }

  async #backchannelLogout(clientId: string, accountId: string, sid: string | undefined): Promise<void> {
    const provider = this.#provider?.();
    if (!provider || !this.#outbox) {
      await this.db('logout_outbox').insert({
        client_id: clientId,
        account_id: accountId,
        sid: sid ?? null,
        attempts: 0,
        last_error: null,
        next_attempt_at: new Date(),
      });
      return;
    }
    const client = await provider.Client.find(clientId);
    const target = client as unknown as { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid?: string): Promise<void> } | undefined;
    if (!target?.backchannelLogoutUri) return;
    try {
      await target.backchannelLogout(accountId, sid);
    } catch (err) {
      log.warn({ clientId }, 'back-channel logout failed; queued for retry');
      await this.#outbox.enqueue(clientId, accountId, sid, err instanceof Error ? err.message : String(err));
    }
  }

  /** Forgets rows of sessions that ended or expired before the cutoff (personal data retention). */
  async purgeOlderThan(cutoff: Date, batchSize = RETENTION_BATCH): Promise<number> {
    return (await purgeTable(this.db, 'login_sessions', cutoff, batchSize)).deleted;
  }
}
