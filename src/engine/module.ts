import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { IpLocator } from '../../adapters/geoip/port.js';
import type { Database } from '../../adapters/storage/port.js';
import type { MailSender } from '../../adapters/mail/port.js';
import type { SmsSender } from '../../adapters/sms/port.js';
import type { MessageKey } from '../i18n/index.js';
import type { Notifier } from '../accounts/notifier.js';
import type { GuessLimiter } from '../security/guess-limiter.js';
import type { ModuleServices } from './ports.js';
import type { LoginPort } from './login-port.js';
import type { MethodTraits } from './traits.js';
import type { Method } from './types.js';

// The method module contract (issue 21 point 1; DESIGN.md "Method modules"). A sign-in method is one
// folder, interactions/<method>/, whose index.ts exports ONE object of this shape; the composition root
// (src/app.ts) loops over the list in interactions/index.ts and knows no method by name.
//
// What a module declares without being wired (its id, the part of the configuration it reads, its traits,
// its migrations and static files) is plain data, so the `kapi` command can migrate and the engine can reason about
// methods without starting any. `wire` builds the running parts.

/** A knex migration of the module's own tables: run after the core's, recorded under `name`. */
export interface ModuleMigration {
  readonly name: string;
  /** knex's per-migration settings: `{ transaction: false }` for work that cannot run in one (CREATE INDEX CONCURRENTLY). */
  readonly config?: { readonly transaction?: boolean };
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** See `MethodModule.removeFactors`. */
export type FactorRemover = (trx: Database, accountId: string) => Promise<Record<string, number>>;

/** See `MethodModule.disownCredential`. */
export type CredentialDisowner = (trx: Database, accountId: string, credential: string) => Promise<boolean>;

/** See `MethodModule.credentialsAddedSince`. */
export type CredentialsAddedSince = (db: Database, accountId: string, since: Date) => Promise<string[]>;

/** One line of /readyz detail. `ok: false` makes Kapı unready: a module reports, it rarely decides. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  error?: string;
  state?: string;
}

/** An entry of the account pages' navigation, placed after the entry named by `after`. */
export interface ModuleNavEntry {
  id: string;
  href: string;
  labelKey: MessageKey;
  after?: string;
}

/**
 * Account (settings) pages of the module: `register` adds its routes to the /account router. The
 * account pages' dependencies are the web layer's type, which the engine does not know (it never
 * imports web code): the web layer is the only caller.
 */
export interface ModuleAccountPages {
  nav: ModuleNavEntry;
  register(router: Router, deps: never): void;
}

/** What the composition root hands every module: configuration, storage, ports, keys. */
export interface ModuleContext<C> {
  /** The module's part of the configuration, as its `configSchema` read it. */
  config: C;
  /** A key for one purpose, derived from the master key (the purpose names it: 'bank-subject', ...). */
  key(purpose: string): Buffer;
  services: ModuleServices;
  ports: {
    sms: SmsSender;
    mail: MailSender;
    notifier: Notifier;
    /** The approximate place of an address (adapters/geoip): shown on the person's other device. */
    locator: IpLocator;
  };
  /** The password guess limiter (shared with the account pages and the sign-in that ends a run of failures). */
  guessLimiter: GuessLimiter;
  /** Prometheus registry of /metrics. */
  metrics: Registry;
  provider: () => Provider;
  clientIp: (ctx: Context) => string;
  /** Every method wired, in chooser order (known only once all modules are wired: call it lazily). */
  methods: () => readonly Method[];
  /** Drives a sign-in from a module's own routes (a bank link): the engine runs the step, the web renders it. */
  login: LoginPort;
}

/** What a wired module brings. Every field but `methods` and `close` may be empty. */
export interface WiredModule<E = undefined> {
  /** Login methods (their steps), in chooser order; none when not configured. */
  methods: readonly Method[];
  /** Routes of its own (callbacks, APIs, logos), mounted after the interaction pages. */
  routes: readonly Router[];
  accountPages: readonly ModuleAccountPages[];
  /** /readyz detail (never a live call to an upstream). */
  readiness(): Promise<ReadinessCheck[]>;
  /** Lines `npm start` prints for the demo (how to try the method). */
  demoHints: readonly string[];
  /** What tests and operators may reach of the wired module (stores, outboxes, demo servers). */
  exports: E;
  close(): Promise<void>;
}

export interface MethodModule<S extends z.ZodType = z.ZodType, E = unknown> {
  readonly id: string;
  /** The part of Kapı's configuration (src/config.ts) the module reads; `wire` sees only that. */
  readonly configSchema: S;
  /** What each of its methods proves: read by the engine, the policies and the account pages instead of id lists. */
  readonly traits: readonly MethodTraits[];
  /** Its tables, run after the core's migrations (names as recorded by knex: never renamed). */
  readonly migrations: readonly ModuleMigration[];
  /**
   * Removes every factor of this module the person has (an office issuance asked to remove them, in
   * person or to a guardian: DESIGN.md, "Factors"), in the caller's transaction; answers counts by kind
   * for the audit row. Static, like the migrations: `kapi registrar` runs it without wiring anything.
   */
  readonly removeFactors?: FactorRemover;
  /**
   * "This wasn't me" on a sign-in that used one of this module's credentials (named by its Step 'done',
   * kept with the sign-in record): takes exactly that credential away from the account, in the caller's
   * transaction; true when it was still there. Only the account's own credential is ever touched. Static,
   * like `removeFactors`; what the person is told is the trait's `notMe.disowned`.
   */
  readonly disownCredential?: CredentialDisowner;
  /**
   * "This wasn't me" on a sign-in made at `since`, whatever method it used: the ids (as `disownCredential`
   * takes them) of the account's credentials of this module added at or after it. A credential that signs
   * in on its own (a passkey), added by whoever made that sign-in, would outlive every session the
   * not-me ends; they are disowned with it. What the person is told is the trait's
   * `notMe.disowned.addedSince`.
   */
  readonly credentialsAddedSince?: CredentialsAddedSince;
  /**
   * Files of its folder's `static/` (the scripts of its pages), served at `/static/<id>/<name>`: the pages'
   * Content-Security-Policy allows same-origin scripts only, never inline ones.
   */
  readonly staticFiles?: readonly string[];
  wire(context: ModuleContext<z.infer<S>>): Promise<WiredModule<E>>;
}

/** A module seen only for the type of what it exports (tests: `kapi.exportsOf(secondFactorModule).totp`). */
export interface ModuleOf<E> {
  readonly id: string;
  wire(context: never): Promise<WiredModule<E>>;
}

/** Defines a module with its types inferred (the schema's output is what `wire` is given). */
export function defineModule<S extends z.ZodType, E>(module: MethodModule<S, E>): MethodModule<S, E> {
  return module;
}

/** A wired module with nothing but methods (the common case), and a close that closes nothing. */
export function methodsOnly(methods: readonly Method[]): WiredModule {
  return { methods, routes: [], accountPages: [], readiness: async () => [], demoHints: [], exports: undefined, close: async () => undefined };
}
