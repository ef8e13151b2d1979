import type { Context } from 'koa';
import type { StateStore } from '../../../../../adapters/storage/port.js';
import type { Account } from '../../../../accounts/account.js';
import { constantTimeEqual, deriveKey, hmac, randomToken } from '../../../../security/crypto.js';
import type { AccountDeps } from '../../deps.js';

// The state of one "forgot my password" attempt. It is public (no session), so this browser is tied
// to its attempt by a signed, http-only cookie holding a random id; the id also keys the anti-CSRF
// token of the forms. The state itself sits in the state store under an HMAC of the id.

export const RESET_COOKIE = 'kapi_reset';
const TTL_SECONDS = 15 * 60;

export interface ResetFlow {
  stage: 'codes' | 'password';
  /** The account whose password may be replaced, or null when the details matched nobody (a decoy
   *  flow that looks and behaves the same but can never succeed). */
  accountId: string | null;
  /** The channels the person was asked codes for: 'sms', and 'email' when they typed an address. */
  channels: string[];
  /** Which verified contacts the codes went to (a keyed hash, see `sentTo`); absent on a decoy. A code
   *  is worth only as much as the contact it was sent to: once that contact is removed or changed, the
   *  attempt is over (issue 20 point 5). */
  sentTo?: string;
}

export class ResetFlows {
  readonly #state: StateStore;
  readonly #key: Buffer;
  readonly #csrfKey: Buffer;

  constructor(deps: AccountDeps) {
    this.#state = deps.services.state;
    this.#key = deriveKey(deps.config.masterKey, 'reset-flow');
    this.#csrfKey = deriveKey(deps.config.masterKey, 'reset-csrf');
  }

  /** The id of this browser's attempt; a new one is set when there is none. */
  id(ctx: Context, fresh = false): string {
    const existing = fresh ? undefined : ctx.cookies.get(RESET_COOKIE, { signed: true });
    if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
    const id = randomToken(24);
    ctx.cookies.set(RESET_COOKIE, id, {
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      secure: ctx.secure,
      overwrite: true,
      path: '/account/reset',
      maxAge: TTL_SECONDS * 1000,
    });
    return id;
  }

  /** The id only if the browser has one (no cookie is set). */
  existingId(ctx: Context): string | undefined {
    const id = ctx.cookies.get(RESET_COOKIE, { signed: true });
    return id && /^[A-Za-z0-9_-]{32}$/.test(id) ? id : undefined;
  }

  csrf(id: string): string {
    return hmac(this.#csrfKey, id);
  }

  /** Where this attempt's codes are kept (OneTimeCodes scope). */
  codeScope(id: string): string {
    return `reset:${hmac(this.#key, id)}`;
  }

  /**
   * A keyed hash of the verified contacts that `channels` reach on the account today; undefined when a
   * channel has no verified contact any more. Compared with the one recorded when the codes were sent.
   */
  sentTo(account: Account, channels: readonly string[]): string | undefined {
    const parts: string[] = [];
    if (channels.includes('sms')) {
      if (!account.phone || !account.phoneVerified) return undefined;
      parts.push(`phone:${account.phone}`);
    }
    if (channels.includes('email')) {
      if (!account.email || !account.emailVerified) return undefined;
      parts.push(`email:${account.email.toLowerCase()}`);
    }
    return hmac(this.#key, `contacts\n${account.id}\n${parts.join('\n')}`);
  }

  /** Whether the contacts the attempt's codes went to are still the account's verified ones. */
  stillSentTo(flow: ResetFlow, account: Account): boolean {
    const now = this.sentTo(account, flow.channels);
    return Boolean(flow.sentTo && now && constantTimeEqual(now, flow.sentTo));
  }

  async get(id: string): Promise<ResetFlow | undefined> {
    const raw = await this.#state.get(this.#stateKey(id));
    return raw ? (JSON.parse(raw) as ResetFlow) : undefined;
  }

  async save(id: string, flow: ResetFlow): Promise<void> {
    await this.#state.set(this.#stateKey(id), JSON.stringify(flow), TTL_SECONDS);
  }

  /** Moves the attempt on only if it is still where the caller saw it (two tabs, a double submit). */
  async advance(id: string, from: ResetFlow, to: ResetFlow): Promise<boolean> {
    return this.#state.compareAndSet(this.#stateKey(id), JSON.stringify(from), JSON.stringify(to), TTL_SECONDS);
  }

  /** Ends the attempt; returns its state when this call ended it (single use of the last step). */
  async end(ctx: Context, id: string): Promise<ResetFlow | undefined> {
    const raw = await this.#state.take(this.#stateKey(id));
    ctx.cookies.set(RESET_COOKIE, null, { path: '/account/reset', signed: true, overwrite: true });
    return raw ? (JSON.parse(raw) as ResetFlow) : undefined;
  }

  #stateKey(id: string): string {
    return `reset-flow:{${hmac(this.#key, id)}}`;
  }
}

/** Completed years on today's date in Türkiye (birthdays start at midnight Istanbul time). */
export function ageToday(birthdate: string, now = new Date()): number {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [by, bm, bd] = birthdate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** A real calendar date in YYYY-MM-DD, not in the future. */
export function isBirthdate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && date.getTime() <= Date.now() && date.getUTCFullYear() >= 1900;
}
