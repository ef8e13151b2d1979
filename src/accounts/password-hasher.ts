import { randomBytes, randomInt } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import type { Algorithm, Version } from '@node-rs/argon2';

// Password hashing with argon2id. The parameters are OWASP's first recommended configuration
// (OWASP Password Storage Cheat Sheet, "Argon2id": m=19456 KiB (19 MiB), t=2, p=1). They are kept
// unless a measurement on the production hardware argues for others; needsRehash() lets stored hashes
// follow when they change.
export const ARGON2_PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** What the hasher needs from an argon2 implementation; tests wrap it to watch what runs when. */
export interface Argon2Engine {
  /** An argon2id (version 0x13) hash in PHC form, with a fresh random salt. */
  hash(password: string, parameters: Argon2Parameters): Promise<string>;
  verify(digest: string, password: string): Promise<boolean>;
  /** True when the digest is not argon2id 0x13 with exactly these parameters; may throw on garbage. */
  needsRehash(digest: string, parameters: Argon2Parameters): boolean;
}

// The binding declares its enums as TypeScript const enums, which have no object at run time: their
// numbers are spelled here (Algorithm.Argon2id = 2, Version.V0x13 = 1).
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

/**
 * argon2id from @node-rs/argon2 (RustCrypto's argon2 behind N-API, run on the libuv pool like any async
 * native work). It picks the CPU's vector instructions at run time: one verification at the OWASP
 * parameters took 13.7–14.3 ms where node-argon2's SSE2 build took 24.1 ms on the same core
 * (docs/architecture.md, "Security measures in the password method").
 * It reads and writes the same PHC strings, so hashes stored by earlier versions keep verifying.
 */
export const rustArgon2: Argon2Engine = {
  hash: (password, parameters) => argon2.hash(password, { algorithm: ARGON2ID, version: VERSION_0X13, ...parameters }),
  verify: (digest, password) => argon2.verify(digest, password),
  needsRehash(digest, parameters) {
    const stored = argon2.parseOptions(digest);
    return (
      stored.algorithm !== ARGON2ID ||
      stored.version !== VERSION_0X13 ||
      stored.memoryCost !== parameters.memoryCost ||
      stored.timeCost !== parameters.timeCost ||
      stored.parallelism !== parameters.parallelism
    );
  },
};

export interface PasswordHasherOptions {
  /** Argon2 operations allowed in flight at once; the rest wait their turn (FIFO). Default 2. */
  concurrency?: number;
  engine?: Argon2Engine;
}

/**
 * A FIFO gate around a fixed number of slots. argon2 runs on the libuv thread pool (4 threads by
 * default), which token signing, file and DNS work share: unbounded hashing during a login burst would
 * queue everything else behind it. Bounding it keeps threads free and makes logins queue instead.
 */
class Gate {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

// NIST SP 800-63B asks for Unicode normalisation before hashing, so that "ş" typed as one code point
// or as s + combining cedilla (keyboards and phones differ) is the same password.
function normalize(password: string): string {
  return password.normalize('NFKC');
}

const PHC_ARGON2ID = /^\$argon2id\$/;
const PHC_PARTS = /^(\$argon2id\$v=\d+\$)([^$]+)(\$.+)$/;
const PARAMETER_ORDER = ['m', 't', 'p'];

/**
 * node-argon2 (which earlier versions used) writes the parameters in alphabetical order (m, p, t), but
 * the reference implementation (and libsodium, PHP, argon2-cffi) writes and requires m, t, p. Stored
 * hashes outlive the code that made them, so they are kept in the reference form that any other stack
 * can verify, whatever the engine returns; the verifier reads both orders.
 */
function canonicalPhc(hash: string): string {
  const parts = PHC_PARTS.exec(hash);
  if (!parts) return hash;
  const [, head = '', params = '', tail = ''] = parts;
  const rank = (pair: string): number => {
    const index = PARAMETER_ORDER.indexOf(pair.split('=')[0] ?? '');
    return index === -1 ? PARAMETER_ORDER.length : index;
  };
  const ordered = params.split(',').sort((a, b) => rank(a) - rank(b));
  return `${head}${ordered.join(',')}${tail}`;
}

export class PasswordHasher {
  readonly #gate: Gate;
  readonly #engine: Argon2Engine;
  #dummyHash: Promise<string> | undefined;
  #verifications = 0;

  constructor(options: PasswordHasherOptions = {}) {
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
    this.#gate = new Gate(concurrency);
    this.#engine = options.engine ?? rustArgon2;
  }

  async hash(password: string): Promise<string> {
    const hash = await this.#gate.run(() => this.#engine.hash(normalize(password), ARGON2_PARAMETERS));
    return canonicalPhc(hash);
  }

  /**
   * argon2 verifications run since start (dummy ones included): the metric
   * kapi_password_verifications_total, and what the guess-limit tests count to prove that N parallel
   * guesses never reach argon2 more often than the limit allows.
   */
  get verifications(): number {
    return this.#verifications;
  }

  /** True when the password matches. A malformed or foreign hash is a mismatch, never an exception. */
  async verify(hash: string, password: string): Promise<boolean> {
    if (!hash.startsWith('$argon2')) return false;
    try {
      return await this.#gate.run(() => {
        this.#verifications++;
        return this.#engine.verify(hash, normalize(password));
      });
    } catch {
      return false;
    }
  }

  /** True when the hash was made with other parameters (or is not argon2id): rehash after a good login. */
  needsRehash(hash: string): boolean {
    if (!PHC_ARGON2ID.test(hash)) return true;
    try {
      return this.#engine.needsRehash(hash, ARGON2_PARAMETERS);
    } catch {
      return true;
    }
  }

  /**
   * Spends the time of a real verify, against a fixed hash of a random secret. Used when the typed
   * identity number has no password, so that the answer's timing does not tell who has an account.
   */
  async dummyVerify(): Promise<false> {
    await this.verify(await this.#fixedHash(), 'not the password');
    return false;
  }

  /** Computes the dummy hash ahead of the first unknown number (optional; dummyVerify does it lazily). */
  async warmUp(): Promise<void> {
    await this.#fixedHash();
  }

  #fixedHash(): Promise<string> {
    // Made with the same parameters as real hashes, so verifying against it costs the same.
    this.#dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.#dummyHash;
  }
}

// Letters and digits that survive being read aloud, printed on a slip or typed from it: no 0/O/o,
// 1/I/l/i, and nothing that a Turkish keyboard puts somewhere else.
const OFFICE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz';

/**
 * A one-time password handed over at an office (PTT branch, consulate). 10 characters from a
 * 54-character alphabet is about 57 bits; the person must change it at the first login.
 */
export function randomOfficePassword(length = 10): string {
  let result = '';
  for (let i = 0; i < length; i++) result += OFFICE_ALPHABET[randomInt(OFFICE_ALPHABET.length)];
  return result;
}
