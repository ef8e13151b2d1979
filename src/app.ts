import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import Koa, { type Context } from 'koa';
import type Provider from 'oidc-provider';
import { GuessLimiter } from './security/guess-limiter.js';
import { CidrPlaceTable, localOnly } from '../adapters/geoip/cidr-table.js';
import { METHOD_MODULES, METHOD_TRAITS, POLICIES } from '../interactions/index.js';
import type { ModuleContext, ModuleOf, WiredModule } from './engine/module.js';
import { registrarWiring } from './registrar-wiring.js';
import type { RegistrarLimitOptions } from './registrar/rate-limit.js';
import type { Config } from './config.js';
import { demoRouter, DEMO_CLIENT_ID } from './demo/routes.js';
import { seedDemo } from './demo/seed.js';
import { MethodRegistry } from './engine/method-registry.js';
import { isKapiError } from './errors.js';
import { log } from './log.js';
import { LogoutOutbox } from './oidc/logout-outbox.js';
import { KEYS_CHANNEL, ProviderHolder } from './oidc/provider-holder.js';
import { openServices, type Services } from './services.js';
import { purgeExpired } from '../adapters/storage/oidc-postgres.js';
import { CLIENTS_CHANNEL } from '../adapters/storage/client-cache.js';
import { recordSignIns } from './sessions/record-sign-in.js';
import { recordLogouts } from './sessions/record-logout.js';
import { accountRouter } from './web/account/routes.js';
import { ensureAccountClient } from './web/account/client.js';
import { authorizationPost } from './web/authorization-post.js';
import { suspendedInstitutionPage } from './web/suspended-institution.js';
import { createMessaging, type Messaging } from './messaging-wiring.js';
import { developersRouter } from './web/integration/developers.js';
import { devOutboxRouter } from './dev/outbox.js';
import { deriveKey, hmac } from './security/crypto.js';
import type { GuessLimiterOptions } from './security/guess-limiter.js';
import { translate } from './i18n/index.js';
import type { InteractionDeps } from './web/interactions/context.js';
import { interactionRouter } from './web/interactions/routes.js';
import { continueMethod } from './web/interactions/login.js';
import { localeFor } from './web/locale.js';
import { ADMIN_ONLY_PATHS, adminApp, AdminListener } from './web/admin-listener.js';
import { operatorConsole } from './web/console/index.js';
import { createMetrics, healthRouter, operationsRouter, routeLabel } from './web/operations.js';
import { renderPage } from './web/render.js';
import { notFoundPage } from './web/not-found.js';
import { asOutage } from './web/outage.js';
import { answerOutagesAs503 } from './oidc/outage-json.js';
import { takeBackFailedRotations } from './oidc/rotation-rollback.js';
import { reuseBuiltClients } from './oidc/client-reuse.js';
import { AfterRoutes } from './oidc/after-routes.js';
import { securityHeaders } from './web/security-headers.js';
import { deviceCookies } from './web/device-cookie.js';
import { machineFront } from './web/machine-front.js';
import { moduleStaticFiles, staticFiles } from './web/static.js';

// The composition root: the one place that wires configuration, storage, methods, the provider and
// the web layer together. It knows no method by name: it loops over the method modules
// (interactions/index.ts), each wired with its own part of the configuration.

export interface Kapi {
  config: Config;
  services: Services;
  app: Koa;
  provider: () => Provider;
  holder: ProviderHolder;
  outbox: LogoutOutbox;
  methods: MethodRegistry;
  /** SMS and mail (with their outboxes where simulators are allowed: the dev page and tests read them). */
  messaging: Messaging;
  /**
   * Listens on the configured port, or takes over the requests of a server already listening (src/startup.ts);
   * the same for the operator's listener when the configuration has one (`admin`).
   */
  listen(existing?: Server, existingAdmin?: AdminListener): Promise<Server>;
  /** The operator's listener (/readyz, /metrics) once listening, when configured (KAPI_ADMIN_PORT). */
  admin(): AdminListener | undefined;
  /** The wired method modules, in module order. */
  modules: ReadonlyMap<string, WiredModule<unknown>>;
  /** What a wired module exposes (its stores, outboxes, demo servers): `kapi.exportsOf(secondFactorModule).totp`. */
  exportsOf<E>(module: ModuleOf<E>): E;
  /** Lines `npm start` prints about the methods' demos. */
  demoHints(): string[];
  close(): Promise<void>;
}

function errorPages(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // oidc-provider answers for itself (respond = false): its 404 is already sent.
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false && !ctx.headerSent) {
        const locale = localeFor(ctx);
        await renderPage(
          ctx,
          '/src/web/views/error',
          locale,
          { title: translate(locale, 'error.title'), message: translate(locale, 'not_found') },
          { status: 404 },
        );
      }
    } catch (err) {
      const locale = localeFor(ctx);
      const name = (err as { name?: string }).name;
      const known = isKapiError(err) ? err : asOutage(err);
      if (known) {
        await renderPage(
          ctx,
          '/src/web/views/error',
          locale,
          { title: translate(locale, 'error.title'), message: translate(locale, known.code, known.params) },
          { status: known.status },
        );
        return;
      }
      // The interaction is gone (expired, cookie missing, state store restarted): a clean start-again
      // page, never a 500 loop.
      if (name === 'SessionNotFound' || name === 'InvalidRequest') {
        await renderPage(
          ctx,
          '/src/web/views/error',
          locale,
          { title: translate(locale, 'error.title'), message: translate(locale, 'session_expired') },
          { status: 400 },
        );
        return;
      }
      // Malformed requests caught by the body parser and the like (oversized form, bad encoding).
      const status = (err as { status?: number; expose?: boolean }).status;
      // co-body's strict-JSON refusal ("1", "nul", " ") is a SyntaxError with status 400 but no `expose`.
      if (typeof status === 'number' && status >= 400 && status < 500 && ((err as { expose?: boolean }).expose || err instanceof SyntaxError)) {
        if (ctx.is('application/json')) {
          // A JSON API (the smart-card signer's) gets a JSON answer it can read.
          ctx.status = status;
          ctx.set('Cache-Control', 'no-store');
          ctx.body = { error: 'invalid_request', error_description: 'the request body is malformed or too large' };
          return;
        }
        await renderPage(
          ctx,
          '/src/web/views/error',
          locale,
          { title: translate(locale, 'error.title'), message: translate(locale, 'invalid_request') },
          { status },
        );
        return;
      }
      const reference = randomUUID();
      log.error({ err, reference, path: ctx.path }, 'request failed');
      await renderPage(
        ctx,
        '/src/web/views/error',
        locale,
        { title: translate(locale, 'error.title'), message: translate(locale, 'internal'), reference },
        { status: 500 },
      );
    }
  };
}

export interface KapiOptions {
  /** Tighter or looser guess limits (tests use small numbers). */
  guessLimits?: Partial<Omit<GuessLimiterOptions, 'hmacKey' | 'limiters' | 'name'>>;
  /** Wrong SMS/TOTP codes before the second stage locks (tests use small numbers). */
  secondFactorGuesses?: number;
  /** Device approvals per sign-in and account, and the lock after a refusal (tests use small numbers). */
  approvalLimits?: Config['limits']['approvals'];
  /** Registry look-ups per staff member and per office in a window (tests use small numbers). */
  registrarLimits?: RegistrarLimitOptions;
}

export async function createKapi(config: Config, options: KapiOptions = {}): Promise<Kapi> {
  log.level = config.logLevel;
  const services = await openServices(config);
  const { db, state, keys, accounts, consents, audit, hasher, clients } = services;
  const metrics = createMetrics({ passwordVerifications: () => hasher.verifications });
  const messaging = createMessaging(config);

  // Where a sign-in began, told to the person on her other device (signer, phone, registered device).
  const locator = config.geoipFile ? CidrPlaceTable.fromFile(config.geoipFile) : localOnly;
  const limiter = new GuessLimiter({
    ...config.limits.guess,
    ...options.guessLimits,
    hmacKey: deriveKey(config.masterKey, 'guess-limiter'),
    limiters: services.limiters,
  });
  // Tests tighten the modules' limits through the options; the modules read them from the configuration.
  const moduleConfig: Config = {
    ...config,
    limits: {
      ...config.limits,
      secondFactorGuesses: options.secondFactorGuesses ?? config.limits.secondFactorGuesses,
      approvals: { ...config.limits.approvals, ...options.approvalLimits },
    },
  };
  const methods = new MethodRegistry();
  const modules = new Map<string, WiredModule<unknown>>();
  const shared: Omit<ModuleContext<unknown>, 'config'> = {
    key: (purpose) => deriveKey(config.masterKey, purpose),
    services,
    ports: { sms: messaging.sms, mail: messaging.mail, notifier: messaging.notifier, locator },
    guessLimiter: limiter,
    metrics: metrics.registry,
    provider: () => holder.current,
    clientIp: (ctx: Context) => ctx.ip,
    methods: () => methods.all(),
    // A module's own routes continue a sign-in through the interaction pages (built below).
    login: { continueMethod: (req, methodId, input) => continueMethod(interactionDeps, req, methodId, input) },
  };
  for (const module of METHOD_MODULES) {
    // Each module sees only the part of the configuration its schema declares.
    const wired = await module.wire({ ...shared, config: module.configSchema.parse(moduleConfig) });
    for (const method of wired.methods) methods.add(method);
    modules.set(module.id, wired);
  }
  const wiredModules = [...modules.values()];

  let outbox: LogoutOutbox;
  const holder = new ProviderHolder(
    config.issuer,
    keys,
    (jwks) => services.configurationFor(jwks),
    (provider) => {
      provider.proxy = config.trustProxyHops > 0;
      reuseBuiltClients(provider, services.clientCache);
      provider.on('server_error', (_ctx, err) => log.error({ err }, 'oidc-provider server error'));
      // Kapı's steps after oidc-provider's routes, in one middleware (src/oidc/after-routes.ts).
      const after = new AfterRoutes(provider);
      answerOutagesAs503(provider, after);
      takeBackFailedRotations(provider, after);
      // Refused token requests are logged with oidc-provider's detail (never the token itself).
      provider.on('grant.error', (_ctx, err) =>
        log.info({ error: (err as { error?: string }).error, detail: (err as { error_detail?: string }).error_detail }, 'token request refused'),
      );
      provider.on('backchannel.error', (_ctx, err, client, accountId, sid) => {
        void outbox
          .enqueue(client.clientId, accountId, sid, err.message)
          .catch((e: unknown) => log.error({ err: e }, 'could not queue back-channel logout retry'));
      });
      provider.on('grant.revoked', (_ctx, grantId) => log.info({ grantId: hmac('log', grantId) }, 'grant revoked'));
      recordSignIns(after, services.sessions, services.audit);
      recordLogouts(after, services.sessions);
      notFoundPage(after);
    },
  );
  await holder.build();
  const provider = () => holder.current;
  outbox = new LogoutOutbox(db, provider);
  services.sessions.attach(provider, outbox);

  if (config.demo) {
    await seedDemo({ issuer: config.issuer, accounts, clients, hasher, registry: services.registry, db: services.db });
    const demo = await clients.show(DEMO_CLIENT_ID);
    const wanted = `${config.issuer}/demo/callback`;
    if (demo && !(demo.metadata.redirect_uris as string[]).includes(wanted)) {
      await clients.update(DEMO_CLIENT_ID, { redirectUris: [wanted], postLogoutRedirectUris: [`${config.issuer}/demo`] });
    }
  }

  const app = new Koa({ keys: config.cookieKeys, proxy: config.trustProxyHops > 0, maxIpsCount: config.trustProxyHops });
  const interactionDeps: InteractionDeps = {
    provider,
    methods,
    policies: POLICIES,
    traits: METHOD_TRAITS,
    accounts,
    consents,
    audit,
    resourceServers: services.resourceServers,
    clientIp: (ctx: Context) => ctx.ip,
    deviceCookies: deviceCookies(config),
    ownerSignedIn: (nationalId) => limiter.ownerSignedIn(nationalId),
  };

  app.use(async (ctx, next) => {
    const end = metrics.httpDuration.startTimer({ method: ctx.method, route: routeLabel(ctx.path) });
    try {
      await next();
    } finally {
      end({ status: String(ctx.status) });
    }
  });
  const hsts = config.issuer.startsWith('https://');
  app.use(securityHeaders({ hsts }));
  // oidc-provider's handler is looked up per request so a key rotation's rebuilt provider takes over at once.
  const handlers = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  const providerHandler = () => {
    const current = holder.current;
    let handler = handlers.get(current);
    if (!handler) handlers.set(current, (handler = current.callback()));
    return handler;
  };
  const toProvider: Koa.Middleware = async (ctx) => {
    ctx.respond = false;
    await providerHandler()(ctx.req, ctx.res);
  };
  const requestListener = () => machineFront({ app: app.callback(), provider: providerHandler, httpDuration: metrics.httpDuration, hsts });
  // The machine endpoints never reach this app: the HTTP server hands them to oidc-provider at once
  // (src/web/machine-front.ts, used by listen() below).
  app.use(errorPages());
  app.use(staticFiles(moduleStaticFiles(METHOD_MODULES)));
  const ops = operationsRouter({ db, state, metrics, extraChecks: async () => (await Promise.all(wiredModules.map((m) => m.readiness()))).flat() });
  // With an operator's listener, the public one keeps only /healthz (src/web/admin-listener.ts).
  if (config.admin) {
    app.use(async (ctx, next) => {
      if (!ADMIN_ONLY_PATHS.has(ctx.path)) return next();
      ctx.status = 404;
      ctx.body = { error: 'not_found' };
    });
  }
  app.use((config.admin ? healthRouter() : ops).routes());
  app.use(interactionRouter(interactionDeps).routes());
  for (const module of wiredModules) for (const router of module.routes) app.use(router.routes());
  // Office issuance: the registrar API (/registrar/v1) and the OpenAPI document (/openapi.json).
  for (const router of (
    await registrarWiring(config, services, provider, (ctx: Context) => ctx.ip, options.registrarLimits ? { limits: options.registrarLimits } : {})
  ).routers)
    app.use(router.routes());
  await ensureAccountClient(clients, config.issuer);
  app.use(
    accountRouter({
      config,
      services,
      provider,
      clientIp: (ctx: Context) => ctx.ip,
      traits: METHOD_TRAITS,
      modulePages: wiredModules.flatMap((m) => m.accountPages),
      ports: { sms: messaging.sms, mail: messaging.mail, notifier: messaging.notifier, locator, passwordGuesses: limiter },
    }).routes(),
  );
  // /dev/outbox: the SMS and mail simulators' outboxes (only where they are in use, never in production).
  if (!config.production && (messaging.smsOutbox || messaging.mailOutbox))
    app.use(devOutboxRouter({ sms: messaging.smsOutbox, mail: messaging.mailOutbox }).routes());
  if (config.demo) {
    const demo = demoRouter({
      issuer: config.issuer,
      clientSecret: async () => String((await clients.metadataWithSecret(DEMO_CLIENT_ID))?.client_secret ?? ''),
    });
    app.use(demo.routes());
    // The demo's public developer page (issue 23 point 3): the demo institution's integration page and its test people.
    app.use(
      developersRouter({
        issuer: config.issuer,
        clients,
        registry: services.registry,
        demoBank: config.banking.demoBank,
        mobileSignature: config.mobileSignature.simulator && !config.mobileSignature.operatorsFile,
        outbox: !config.production && Boolean(messaging.smsOutbox || messaging.mailOutbox),
      }).routes(),
    );
  }
  app.use(async (ctx, next) => {
    if (ctx.path === '/' && ctx.method === 'GET') return ctx.redirect(config.demo ? '/demo' : '/.well-known/openid-configuration');
    return next();
  });
  // POST /auth (OpenID Connect Core §3.1.2.1) reaches oidc-provider as the same request by GET.
  app.use(authorizationPost());
  // A suspended institution's sign-in: a page that says so (the operator console, issue 23 point 2).
  app.use(suspendedInstitutionPage({ provider, clients }));
  // Everything else is oidc-provider's (discovery, JWKS, authorization, token, userinfo, logout, ...).
  app.use(toProvider);

  await holder.watch(state);
  // Another process changed an institution (`kapi clients update`): drop the cached copy at once.
  const unwatchClients = await state.subscribe(CLIENTS_CHANNEL, (clientId) => services.clientCache.invalidate(clientId || undefined));
  outbox.start();

  // Housekeeping: personal-data retention and expired long-lived oidc-provider records.
  const retention = setInterval(() => {
    void audit.purgeOlderThan(config.retentionDays).catch((err: unknown) => log.error({ err }, 'retention purge failed'));
    void purgeExpired(db).catch((err: unknown) => log.error({ err }, 'expired token purge failed'));
    void services.sessions
      .purgeOlderThan(new Date(Date.now() - config.retentionDays * 86400_000))
      .catch((err: unknown) => log.error({ err }, 'session index purge failed'));
  }, 3600_000);
  retention.unref();

  let server: Server | undefined;
  let admin: AdminListener | undefined;
  // The operator console on the admin listener (issue 23 point 2), its client registered once the port is known.
  const consolePart = config.admin ? operatorConsole({ config, services, provider, announceKeys: () => announceKeyChange(services) }) : undefined;
  const adminHandler = () => adminApp(ops, consolePart && { middleware: consolePart.middleware, keys: config.cookieKeys }).callback();
  return {
    config,
    services,
    app,
    provider,
    holder,
    outbox,
    methods,
    messaging,
    modules,
    exportsOf: <E>(module: ModuleOf<E>) => {
      const wired = modules.get(module.id);
      if (!wired) throw new Error(`module ${module.id} is not wired`);
      return wired.exports as E;
    },
    demoHints: () => wiredModules.flatMap((m) => m.demoHints),
    admin: () => admin,
    async listen(existing?: Server, existingAdmin?: AdminListener) {
      if (config.admin) {
        if (existingAdmin) existingAdmin.handWith(adminHandler());
        else {
          const fresh = new AdminListener(adminHandler());
          await fresh.listen(config.admin.port, config.admin.host);
          existingAdmin = fresh;
        }
        admin = existingAdmin;
        await consolePart?.ready(admin.port);
      }
      if (existing) {
        // The server answered 503 while Kapı started (src/web/starting-app.ts); from now on this app answers.
        existing.removeAllListeners('request');
        existing.on('request', requestListener());
        return (server = existing);
      }
      // A port already taken must fail the start, not leave it waiting for a 'listening' that never comes.
      server = await new Promise<Server>((resolve, reject) => {
        const s = createServer(requestListener());
        s.once('error', reject);
        s.listen(config.port, config.host, () => {
          s.off('error', reject);
          resolve(s);
        });
      });
      return server;
    },
    async close() {
      clearInterval(retention);
      for (const module of wiredModules) await module.close();
      messaging.close();
      outbox.stop();
      await holder.stop();
      await unwatchClients().catch(() => undefined);
      await admin?.close();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections?.();
        });
      }
      await services.close();
    },
  };
}

/** Announces a key change to every Kapı process (they rebuild their providers). */
export async function announceKeyChange(services: Services): Promise<void> {
  await services.state.publish(KEYS_CHANNEL, String(Date.now()));
}
