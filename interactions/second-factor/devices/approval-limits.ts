import { sha256 } from '../../../src/security/crypto.js';
import { takeAll, type Counter, type Limiters } from '../../../src/security/limiters.js';

// Device approvals cannot be farmed (issue 25 point 3). With the password alone a stranger could open
// approvals without end, hoping the owner approves one by reflex. So:
//   - an approval takes a point per sign-in (interaction) and per account BEFORE it is opened and
//     pushed, atomically per counter (60 parallel requests open at most the limit);
//   - a wrong number or a denial on the phone locks the device step for the account for a while (the
//     owner is told, in the app and on her verified contacts, that someone knows her password).
// The owner's own browser (her device cookie, OWASP) has its own allowance and its own lock: a
// stranger's farming locks the strangers' allowance only, and her refusal of a stranger's approval
// never locks her own browser.

export interface ApprovalLimitOptions {
  /** Approvals one sign-in (interaction) may open. Default 3. */
  perSignIn?: number;
  /** Approvals opened for one account (strangers' browsers together, or one known browser) per window. Default 10. */
  perAccount?: number;
  /** The per-account window. Default 15 min. */
  windowSeconds?: number;
  /** How long the device step stays locked after a wrong number or a denial. Default 15 min. */
  lockSeconds?: number;
}

export type ApprovalVerdict = { allowed: true } | { allowed: false; reason: 'locked' | 'too_many'; retryAfterSeconds: number };

export class ApprovalLimits {
  readonly #perSignIn: Counter;
  readonly #perAccount: Counter;
  readonly #locks: Counter;
  readonly lockSeconds: number;

  constructor(limiters: Limiters, options: ApprovalLimitOptions = {}) {
    this.lockSeconds = options.lockSeconds ?? 15 * 60;
    // An interaction lives an hour at most: its count needs no longer window.
    this.#perSignIn = limiters.counter({ name: 'dv-open-flow', points: options.perSignIn ?? 3, durationSeconds: 3600 });
    this.#perAccount = limiters.counter({ name: 'dv-open', points: options.perAccount ?? 10, durationSeconds: options.windowSeconds ?? 15 * 60 });
    this.#locks = limiters.counter({ name: 'dv-lock', points: 1, durationSeconds: this.lockSeconds });
  }

  /**
   * Takes the points of one approval before it is opened. `signIn` names the interaction (any value
   * unique to it; it is hashed), `browser` the opening browser's own device id for the person, if any.
   */
  async open(accountId: string, signIn: string, browser?: string): Promise<ApprovalVerdict> {
    const allowance = own(accountId, browser);
    const lock = await this.#locks.peek(allowance);
    if (lock && lock.consumed >= 1) return { allowed: false, reason: 'locked', retryAfterSeconds: Math.max(1, Math.ceil(lock.msBeforeNext / 1000)) };
    const taken = await takeAll([
      [this.#perSignIn, sha256(signIn)],
      [this.#perAccount, allowance],
    ]);
    return taken.allowed ? { allowed: true } : { allowed: false, reason: 'too_many', retryAfterSeconds: taken.take.retryAfterSeconds };
  }

  /** After a wrong number or a denial of an approval opened by `browser` (undefined: a stranger's). */
  async lock(accountId: string, browser?: string): Promise<void> {
    await this.#locks.block(own(accountId, browser), this.lockSeconds);
  }
}

function own(accountId: string, browser: string | undefined): string {
  return browser ? `${accountId}:browser:${browser}` : accountId;
}
