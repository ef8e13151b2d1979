import type { Acr } from '../assurance/levels.js';
import type { Account } from '../accounts/account.js';
import type { MessageKey } from '../i18n/index.js';

// The login flow engine's vocabulary (DESIGN.md "The six concepts"): Method, Step, Flow, Policy.

export type Factor = 'first' | 'second';

/** What a relying party is, as far as a method or policy needs to know. */
export interface ClientView {
  clientId: string;
  name: string;
  minimumAcr: Acr | undefined;
}

/** What one completed method proved. */
export interface CompletedMethod {
  method: string;
  factor: Factor;
  at: number; // epoch seconds
  amr: string[];
  /** Level this completion is worth on its own (first factor) or raises to (second factor). */
  acr: Acr;
  /** Which of the person's credentials of this method was used (Step 'done', `credential`). */
  credential?: string;
}

/** The state of one login attempt, kept inside oidc-provider's Interaction. */
export interface Flow {
  /** Anti-CSRF token for every form of this interaction. */
  csrf: string;
  locale: 'tr' | 'en';
  requiredAcr: Acr | undefined;
  accountId?: string;
  /** The method in progress and its own state. */
  current?: { method: string; state: Record<string, unknown> };
  completed: CompletedMethod[];
  /** The account must set a new password before the flow may finish (office-issued one-time password). */
  mustChangePassword?: boolean;
  /** Why a further step follows the first stage done so far (shown on the next pages until the end). */
  nextStepWhy?: 'second_factor' | 'step_up';
}

export interface MethodContext {
  flow: Flow;
  client: ClientView;
  ip: string;
  userAgent: string;
  /** This method's own state for this flow (persisted with the flow). */
  state: Record<string, unknown>;
  /**
   * This browser's own device id for the person with this identity number, when the browser signed in
   * as her before (an OWASP device cookie), else undefined: per-person limits count its guesses apart
   * from strangers', so no stranger can lock the owner's own browser out.
   */
  deviceFor(nationalId: string): string | undefined;
}

/**
 * A redirect to an upstream whose answer comes back through the browser (a bank's authorization
 * response): the web layer binds that answer to this browser (src/web/upstream-binding.ts), and the
 * callback accepts it only there (RFC 9700 §4.7, authorization-response injection).
 */
export interface UpstreamBinding {
  /** Kapı's path the upstream sends the browser back to; the binding is sent only there. */
  callbackPath: string;
  /** The request's `state`, which the upstream's answer carries back. */
  state: string;
  /** How long the answer may take to come back. */
  maxAgeSeconds: number;
}

export type Step =
  | {
      kind: 'prompt';
      view: string;
      data?: Record<string, unknown>;
      error?: { code: MessageKey; field?: string; params?: Record<string, string | number> };
      status?: number;
    }
  | { kind: 'redirect'; url: string; binding?: UpstreamBinding }
  | { kind: 'wait'; view: string; data?: Record<string, unknown>; pollSeconds: number }
  | {
      kind: 'done';
      accountId: string;
      amr: string[];
      upstreamAcr?: Acr;
      mustChangePassword?: boolean;
      /** The account as the method read it in this request: the engine's policies take it rather than reading it again. */
      account?: Account;
      /**
       * The method's own success has already ended the strangers' run of failures for this account in
       * this request (the password's guess limiter does), so the engine's "owner signed in" need not do
       * it again when the sign-in finishes in the same request (one Redis command less, issue 27).
       */
      runOfFailuresEnded?: boolean;
      /**
       * Which of the person's own credentials of this method proved her, as the method names it (a
       * passkey: Kapı's id of the passkey whose signature was verified; never anything the browser
       * named without proof). Recorded with the sign-in, so "This wasn't me" on that entry can disown
       * exactly that credential (`MethodModule.disownCredential`).
       */
      credential?: string;
    };

export interface Method {
  /** Unique id, also the URL segment: /interaction/:uid/method/:id */
  readonly id: string;
  readonly factor: Factor;
  /** Level reached by this method alone (first factor) or raised to (second factor). */
  readonly acr: Acr;
  readonly amr: readonly string[];
  /** The method's name on the chooser (the same as its traits' `label`). */
  readonly labelKey: MessageKey;
  /**
   * A form the chooser shows in place of this method's button: its first step, whose post goes to the
   * method's `continue` without a separate "choose" request (the gateway's password tab). The form is
   * given the chooser's data plus `action` and `csrf`; `start` must not need any state for it.
   */
  readonly chooserForm?: string;
  /** Is the person enrolled? Absent means anybody may try. */
  usableBy?(account: Account): boolean | Promise<boolean>;
  start(ctx: MethodContext): Promise<Step>;
  continue(ctx: MethodContext, input: Record<string, string>): Promise<Step>;
  /**
   * For `wait` steps: is the out-of-band transaction still pending? Cheap and read-only; the page asks
   * it every few seconds and reloads the interaction (which calls `start`) once it is `ready`.
   */
  poll?(ctx: MethodContext): Promise<'pending' | 'ready'>;
}

export type Decision =
  | { kind: 'satisfied'; acr: Acr }
  /**
   * `why`, when a first stage is already done: the account's two-step setting asks for a second stage,
   * or the level asked for is above what was proved (the page says so instead of starting over).
   */
  | { kind: 'next'; methods: Method[]; why?: 'second_factor' | 'step_up' }
  | { kind: 'deny'; code: 'level_unreachable' | 'password_login_closed' | 'method_unavailable' | 'second_factor_unavailable' };

export interface PolicyInput {
  flow: Flow;
  account: Account | undefined;
  client: ClientView;
  requiredAcr: Acr | undefined;
  methods: readonly Method[];
}

/** A policy answers with a decision, or undefined when it has nothing to say. Policies compose in order. */
export type Policy = (input: PolicyInput) => Promise<Decision | undefined> | Decision | undefined;
