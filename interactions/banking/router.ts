import Router from '@koa/router';
import type { Context } from 'koa';
import { isAcr } from '../../src/assurance/levels.js';
import { loadFlow, saveFlow, type InteractionLike } from '../../src/engine/flow-store.js';
import { KapiError } from '../../src/errors.js';
import { assertCsrf } from '../../src/security/csrf.js';
import type { Counter } from '../../src/security/limiters.js';
import { translate } from '../../src/i18n/index.js';
import type Provider from 'oidc-provider';
import type { LoginPort } from '../../src/engine/login-port.js';
import { allowInteractionFormTargets } from '../../src/web/form-targets.js';
import { localeFor } from '../../src/web/locale.js';
import { renderPage } from '../../src/web/render.js';
import { answerStartedHere, refuseAnswerFromElsewhere } from '../../src/web/upstream-binding.js';
import type { AuditTrail } from '../../src/engine/ports.js';
import type { BankEntry } from './banks.js';
import { BANK_CALLBACK_PATH, BANKING_METHOD_ID } from './method.js';
import type { BankReturns } from './returns.js';

export interface BankingRouterDeps {
  banks: readonly BankEntry[];
  returns: BankReturns;
  limiter: Counter;
  routeKey: string;
  provider: () => Provider;
  login: LoginPort;
  audit: AuditTrail;
  clientIp: (ctx: Context) => string;
}

async function limited(deps: BankingRouterDeps, ctx: Context): Promise<boolean> {
  // A store that fails throws storage_unavailable: not a verdict on this person.
  const take = await deps.limiter.take(deps.clientIp(ctx));
  if (!take.allowed) {
    const locale = localeFor(ctx);
    ctx.set('Retry-After', String(take.retryAfterSeconds));
    await renderPage(
      ctx,
      '/src/web/views/error',
      locale,
      { title: translate(locale, 'error.title'), message: translate(locale, 'banking.too_many') },
      { status: 429 },
    );
    return true;
  }
  return false;
}

/**
 * The banking module's HTTP edge: the bank links of the chooser, the bank's callback, and the logos.
 * Everything that changes the flow goes through the engine (the login port / the interaction page).
 */
export function bankingRouter(deps: BankingRouterDeps): Router {
  const router = new Router();

  router.get('/banking/logo/:bank', (ctx) => {
    const logo = deps.banks.find((b) => b.id === ctx.params.bank && b.enabled)?.logo;
    if (!logo) throw new KapiError('not_found');
    ctx.type = logo.contentType;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'"); // an SVG is a document
    ctx.body = logo.data;
  });

  /** The interaction of this browser with its flow, for a link that carries the flow's CSRF token. */
  async function loadForLink(ctx: Context) {
    const provider = deps.provider();
    const interaction = (await provider.interactionDetails(ctx.req, ctx.res)) as unknown as InteractionLike;
    if (interaction.uid !== ctx.params.uid || interaction.prompt.name !== 'login') throw new KapiError('session_expired');
    const client = await provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new KapiError('session_expired');
    allowInteractionFormTargets(ctx, interaction.params, client.redirectUris ?? []);
    const locale = localeFor(ctx, typeof interaction.params.ui_locales === 'string' ? interaction.params.ui_locales : undefined);
    const existing = interaction.result?.kapi as { requiredAcr?: unknown } | undefined;
    const flow = loadFlow(interaction, locale, isAcr(existing?.requiredAcr) ? existing.requiredAcr : undefined);
    assertCsrf(flow.csrf, { _csrf: ctx.query._csrf });
    if (flow.current?.method !== BANKING_METHOD_ID) throw new KapiError('method_unavailable');
    return { interaction, client, flow };
  }

  // "Choose another sign-in method": leaves the banking method so the chooser shows again (the
  // interaction page resumes a method in progress, even with ?choose=1).
  router.get('/interaction/:uid/banking-other', async (ctx) => {
    const { interaction, flow } = await loadForLink(ctx);
    delete flow.current;
    await saveFlow(interaction, flow);
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(interaction.uid)}?choose=1`);
  });

  // A bank link of the chooser: checks the flow's CSRF token, then lets the method build the
  // authorization request and redirect (or refuse, before any redirect, a person who closed bank login).
  router.get('/interaction/:uid/banking/:bank', async (ctx) => {
    if (await limited(deps, ctx)) return;
    const { interaction, client, flow } = await loadForLink(ctx);
    const minimum = (client as unknown as Record<string, unknown>).min_acr;
    await deps.login.continueMethod(
      {
        ctx,
        interaction,
        flow,
        client: { clientId: client.clientId, name: client.clientName ?? client.clientId, minimumAcr: isAcr(minimum) ? minimum : undefined },
      },
      BANKING_METHOD_ID,
      { bank: String(ctx.params.bank ?? ''), interaction: interaction.uid, route: deps.routeKey },
    );
  });

  // The bank's answer (the redirect_uri registered at every bank). Files it under the state and sends
  // the browser back to its interaction, where the answer is checked and merged into the flow. Only
  // in the browser that was sent to the bank: anywhere else it is refused, recorded and explained.
  router.get(BANK_CALLBACK_PATH, async (ctx) => {
    if (await limited(deps, ctx)) return;
    ctx.set('Cache-Control', 'no-store');
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const wellFormed = state !== '' && state.length <= 512;
    const startedHere = wellFormed && answerStartedHere(ctx, { callbackPath: BANK_CALLBACK_PATH, state });
    const arrival = wellFormed
      ? await deps.returns.arrive(state, ctx.querystring.slice(0, 8192), startedHere)
      : { ok: false as const, reason: 'unknown' as const };
    if (!arrival.ok && arrival.reason === 'other_browser') {
      await refuseAnswerFromElsewhere(ctx, deps, {
        method: BANKING_METHOD_ID,
        upstream: arrival.bank,
        callbackPath: BANK_CALLBACK_PATH,
        clientId: arrival.clientId,
        messageKey: 'banking.answer_other_browser',
      });
      return;
    }
    if (!arrival.ok) {
      const locale = localeFor(ctx);
      await renderPage(
        ctx,
        '/src/web/views/error',
        locale,
        { title: translate(locale, 'error.title'), message: translate(locale, 'banking.answer_unknown') },
        { status: 400 },
      );
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(arrival.uid)}`);
  });

  return router;
}
