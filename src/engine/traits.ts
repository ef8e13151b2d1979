import type { Acr } from '../assurance/levels.js';
import type { MessageKey } from '../i18n/index.js';
import type { Factor } from './types.js';

// What a method proves, declared by its module (issue 21 point 1). The engine's policies, the login
// pages and the account pages ask these questions instead of keeping lists of method ids, so a new
// method says what it is in its own folder and every rule that depends on it follows.

/**
 * - `password`: a memorised secret (the password); an active e-Government Key is asked for after it,
 *   and closing password login applies to it.
 * - `signature`: a qualified electronic signature of the person (e-signature, mobile signature): the
 *   methods the FAQ accepts for closing and reopening password login.
 * - `strong-without-password`: proves the person without a password, strongly enough to set a new
 *   password without the old one.
 * - `asked-after-password`: once the person has activated it, it is the second stage of every password
 *   sign-in, even with the two-factor setting off (the e-Government Key).
 */
export type Proof = 'password' | 'signature' | 'strong-without-password' | 'asked-after-password';

/** Whom the person is told to contact when she says a sign-in with this method was not hers. */
export type IntrusionAdvice = 'certificate_provider' | 'id_card' | 'gsm_operator' | 'second_factors';

export interface MethodTraits {
  /** The method's id (its URL segment, its name in the session index and the audit). */
  method: string;
  /** Its name, in every language: known without wiring, so past sign-ins are named by it. */
  label: MessageKey;
  stage: Factor;
  /** amr values (RFC 8176) the method can produce. */
  amr: readonly string[];
  /** The highest level it reaches: alone (first stage) or raised to (second stage). */
  acr: Acr;
  proves: readonly Proof[];
  /**
   * For a second stage: amr values that, all of them together, only it earns, by which a continued
   * session shows that its second stage was done. All of them, not any: `mca` alone is a bank's or a
   * mobile signature's, `swk` alone a synced passkey's; only the device approval gives both.
   */
  secondStageAmr?: readonly string[];
  /** "This wasn't me" on a sign-in it took part in: what closes, whom to tell the person to contact. */
  notMe?: {
    closes?: 'password_login' | 'bank_login';
    advice?: IntrusionAdvice;
    /**
     * The module disowns the credential the sign-in used (`MethodModule.disownCredential`), and says so
     * in its own words: on the confirmation page (`will`), and on the page after it, what was done
     * (`done`) and what the person should do now (`next`, in order).
     */
    disowned?: {
      will: MessageKey;
      done: MessageKey;
      next: readonly MessageKey[];
      /** The module's credentials added since the disowned sign-in (`MethodModule.credentialsAddedSince`). */
      addedSince?: { will: MessageKey; done: MessageKey };
    };
  };
  /**
   * For integrators (README's method → acr → amr table, generated from these traits): where the level or
   * the amr depend on what happened at sign-in rather than on the method alone, what they depend on.
   */
  integrators?: { level?: string; amr?: string };
}

/** The traits of every method Kapı has a module for, configured or not. */
export class MethodTraitBook {
  readonly #byId: Map<string, MethodTraits>;

  constructor(readonly all: readonly MethodTraits[]) {
    this.#byId = new Map();
    for (const t of all) {
      if (this.#byId.has(t.method)) throw new Error(`method ${t.method} declared by two modules`);
      this.#byId.set(t.method, t);
    }
  }

  of(method: string): MethodTraits | undefined {
    return this.#byId.get(method);
  }

  /** The name of a method id; undefined for an id no module declares (a method since removed). */
  labelOf(method: string): MessageKey | undefined {
    return this.#byId.get(method)?.label;
  }

  proves(method: string, proof: Proof): boolean {
    return this.#byId.get(method)?.proves.includes(proof) ?? false;
  }

  /** Method ids that prove `proof`, in module order. */
  proving(proof: Proof): string[] {
    return this.all.filter((t) => t.proves.includes(proof)).map((t) => t.method);
  }

  /** Whether a session with these amr values did a second stage: it holds every `secondStageAmr` value of one. */
  showsSecondStage(amr: readonly string[]): boolean {
    return this.all.some(
      (t) => t.stage === 'second' && t.secondStageAmr !== undefined && t.secondStageAmr.length > 0 && t.secondStageAmr.every((a) => amr.includes(a)),
    );
  }

  /** Second-stage method ids. */
  secondStages(): string[] {
    return this.all.filter((t) => t.stage === 'second').map((t) => t.method);
  }
}
