import { randomInt } from 'node:crypto';
import type { StateStore } from '../../adapters/storage/port.js';
import { constantTimeEqual, hmac } from '../security/crypto.js';

// Security codes sent by SMS or e-mail (contact verification, password reset): 6 digits, single use,
// short-lived, a few guesses. Only an HMAC-SHA-256 of each code sits in the state store (a bare hash
// of six digits is undone by trying the million values; the key is derived from the master key).

export type CodeCheck = 'ok' | 'wrong' | 'gone' | 'too_many';

export interface OneTimeCodesOptions {
  /** Lifetime of a code. Default 180 s. */
  ttlSeconds?: number;
  /** Wrong answers before the codes are thrown away. Default 5. */
  maxAttempts?: number;
}

interface StoredCodes {
  /** channel (e.g. 'sms', 'email') -> HMAC of the code */
  hashes: Record<string, string>;
}

export function sixDigits(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export class OneTimeCodes {
  readonly ttlSeconds: number;
  readonly maxAttempts: number;

  constructor(
    private readonly state: StateStore,
    private readonly key: Buffer,
    options: OneTimeCodesOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 180;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * New codes for `scope` (one per channel), replacing any earlier ones and their guess count. The
   * scope names what the codes prove (e.g. "contact:<account>:phone:<number>"), so a code sent for one
   * thing never proves another.
   */
  async issue(scope: string, channels: readonly string[]): Promise<Record<string, string>> {
    const codes: Record<string, string> = {};
    const hashes: Record<string, string> = {};
    for (const channel of channels) {
      codes[channel] = sixDigits();
      hashes[channel] = this.#hash(scope, channel, codes[channel]);
    }
    await this.state.del(this.#triesKey(scope));
    await this.state.set(this.#codesKey(scope), JSON.stringify({ hashes } satisfies StoredCodes), this.ttlSeconds);
    return codes;
  }

  /**
   * Checks every channel's answer. All right: the codes are used up (single use, atomically: of two
   * concurrent right answers only one gets 'ok'). Wrong: one guess is counted; the last allowed
   * guess throws the codes away. The same work is done whether or not codes exist for the scope.
   */
  async verify(scope: string, answers: Record<string, string>): Promise<CodeCheck> {
    const tries = await this.state.incr(this.#triesKey(scope), this.ttlSeconds);
    if (tries > this.maxAttempts) {
      await this.state.del(this.#codesKey(scope));
      return 'too_many';
    }
    const raw = await this.state.get(this.#codesKey(scope));
    const stored = raw ? (JSON.parse(raw) as StoredCodes) : undefined;
    const channels = stored ? Object.keys(stored.hashes) : Object.keys(answers);
    let allRight = channels.length > 0;
    for (const channel of channels) {
      const answer = (answers[channel] ?? '').replace(/\s+/g, '');
      const expected = stored?.hashes[channel] ?? this.#hash(scope, channel, 'no code');
      // Every channel is compared (no early exit), in constant time.
      if (!constantTimeEqual(this.#hash(scope, channel, answer), expected)) allRight = false;
    }
    if (!stored) return 'gone';
    if (!allRight) {
      if (tries >= this.maxAttempts) {
        await this.state.del(this.#codesKey(scope));
        return 'too_many';
      }
      return 'wrong';
    }
    // take(): the value is deleted and returned at once; a concurrent right answer finds nothing.
    const taken = await this.state.take(this.#codesKey(scope));
    await this.state.del(this.#triesKey(scope));
    return taken === raw ? 'ok' : 'gone';
  }

  /** Throws the codes of a scope away (the contact was changed again, the flow ended). */
  async discard(scope: string): Promise<void> {
    await Promise.all([this.state.del(this.#codesKey(scope)), this.state.del(this.#triesKey(scope))]);
  }

  /** Seconds left before the codes expire, or null. */
  async remaining(scope: string): Promise<number | null> {
    return this.state.ttl(this.#codesKey(scope));
  }

  #hash(scope: string, channel: string, code: string): string {
    return hmac(this.key, `${scope}\n${channel}\n${code}`);
  }

  // Hash tags ({...}) keep a scope's two keys in one Redis Cluster slot. The scope itself is hashed:
  // it carries account ids and phone numbers, which have no business in Redis key names.
  #codesKey(scope: string): string {
    return `otc:{${hmac(this.key, scope)}}:codes`;
  }

  #triesKey(scope: string): string {
    return `otc:{${hmac(this.key, scope)}}:tries`;
  }
}
