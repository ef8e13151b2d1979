import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { isAcr } from '../../assurance/levels.js';
import { requiredLevel } from '../../assurance/required-level.js';
import { isFinishedInteraction, loadFlow, saveFlow, type InteractionLike } from '../../engine/flow-store.js';
import type { ClientView, Flow } from '../../engine/types.js';
import { KapiError } from '../../errors.js';
import { assertCsrf } from '../../security/csrf.js';
import { formFields } from '../form-fields.js';
import { allowInteractionFormTargets } from '../form-targets.js';
import { localeFor } from '../locale.js';
import type { InteractionDeps } from './context.js';
import { decideConsent, showConsent } from './consent.js';
import { chooseMethod, continueMethod, pollMethod, showLogin, type LoginRequest } from './login.js';
import { renderPage } from '../render.js';
import { translate } from '../../i18n/index.js';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

function clientView(client: Client): ClientView {
  const min = (client as unknown as Record<string, unknown>).min_acr;
  return { clientId: client.clientId, name: client.clientName ?? client.clientId, minimumAcr: isAcr(min) ? min : undefined };
}

/** The level the authorization request needs: the institution's minimum, acr_values, an essential acr claim. */
function levelAskedBy(interaction: InteractionLike, client: ClientView) {
  let acrClaim: { essential?: boolean; value?: unknown; values?: unknown } | undefined;
  if (typeof interaction.params.claims === 'string') {
    try {
      acrClaim = (JSON.parse(interaction.params.claims) as { id_token?: { acr?: typeof acrClaim } }).id_token?.acr ?? undefined;
    } catch {
      acrClaim = undefined; // oidc-provider already refused malformed claims; nothing to add here
    }
  }
  return requiredLevel({
    acrValues: typeof interaction.params.acr_values === 'string' ? interaction.params.acr_values : undefined,
    acrClaim: acrClaim?.essential ? acrClaim : undefined,
    clientMinimum: client.minimumAcr,
  });
}

/**
 * A finished interaction's pages (isFinishedInteraction) can still be asked for: the browser shows the
 * refused one of two posts of one page sent at once (a double click) and abandons the other's redirect to
 * resume, whose login stands; or the person goes back. They send the browser on to resume instead of
 * running a flow that is no longer there (was: a 500 on GET, a 403 on every form); a form is still checked
 * for its token first (a forged post stays a 403), which stays with a login result (login.ts), so
 * "cancel" still cancels.
 */

/** Sends the browser on to oidc-provider's resume when the interaction is finished; false otherwise. */
function resumedIfFinished(ctx: Context, interaction: InteractionLike): boolean {
  const returnTo = (interaction as InteractionLike & { returnTo?: unknown }).returnTo;
  if (!isFinishedInteraction(interaction) || typeof returnTo !== 'string') return false;
  ctx.status = 303;
  ctx.redirect(returnTo);
  return true;
}

/** The hosted login pages (oidc-provider's interaction URL), driven by the flow engine. */
export function interactionRouter(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const body = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  async function load(ctx: Context): Promise<LoginRequest & { interaction: InteractionLike; flow: Flow }> {
    const provider = deps.provider();
    const interaction = (await provider.interactionDetails(ctx.req, ctx.res)) as unknown as InteractionLike;
    if (interaction.uid !== ctx.params.uid) throw new KapiError('session_expired');
    const client = await provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new KapiError('session_expired');
    allowInteractionFormTargets(ctx, interaction.params, client.redirectUris ?? []);
    const view = clientView(client);
    const locale = localeFor(ctx, typeof interaction.params.ui_locales === 'string' ? interaction.params.ui_locales : undefined);
    const flow = loadFlow(interaction, locale, levelAskedBy(interaction, view));
    return { ctx, interaction, flow, client: view };
  }

  router.get('/', async (ctx) => {
    const req = await load(ctx);
    if (resumedIfFinished(ctx, req.interaction)) return;
    if (req.interaction.prompt.name === 'login') return showLogin(deps, req);
    if (req.interaction.prompt.name === 'consent') {
      await saveFlow(req.interaction, req.flow); // the consent form's CSRF token lives in the flow
      return showConsent(deps, ctx, req.interaction, req.flow, req.client);
    }
    throw new KapiError('invalid_request', `unknown prompt ${req.interaction.prompt.name}`);
  });

  router.get('/poll', async (ctx) => {
    const req = await load(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: req.interaction.prompt.name === 'login' && !isFinishedInteraction(req.interaction) ? await pollMethod(deps, req) : 'ready' };
  });

  router.post('/method/:method', body, async (ctx) => {
    const req = await load(ctx);
    formFields(ctx, (fields) => assertCsrf(req.flow.csrf, fields));
    if (resumedIfFinished(ctx, req.interaction)) return;
    if (req.interaction.prompt.name !== 'login') throw new KapiError('invalid_request');
    return chooseMethod(deps, req, ctx.params.method ?? '');
  });

  router.post('/method/:method/continue', body, async (ctx) => {
    const req = await load(ctx);
    const input = formFields(ctx, (fields) => assertCsrf(req.flow.csrf, fields));
    if (resumedIfFinished(ctx, req.interaction)) return;
    if (req.interaction.prompt.name !== 'login') throw new KapiError('invalid_request');
    return continueMethod(deps, req, ctx.params.method ?? '', input);
  });

  router.post('/consent', body, async (ctx) => {
    const req = await load(ctx);
    const input = formFields(ctx, (fields) => assertCsrf(req.flow.csrf, fields));
    if (resumedIfFinished(ctx, req.interaction)) return;
    if (req.interaction.prompt.name !== 'consent') throw new KapiError('invalid_request');
    return decideConsent(deps, ctx, req.interaction, input.decision === 'allow', req.flow.csrf);
  });

  // "Cancel" on the chooser and "return to the service" on the refusal page end the request with an
  // OAuth error the institution understands.
  router.post('/abort', body, async (ctx) => {
    const req = await load(ctx);
    const input = formFields(ctx, (fields) => assertCsrf(req.flow.csrf, fields));
    const error =
      input.reason === 'level_unreachable'
        ? { error: 'unmet_authentication_requirements', error_description: 'no available method reaches the level of assurance asked for' }
        : { error: 'access_denied', error_description: 'the person cancelled the sign-in' };
    // The form token stays with the error: a second click on "cancel" is sent on to resume too.
    await deps.provider().interactionFinished(ctx.req, ctx.res, { ...error, kapi: { csrf: req.flow.csrf } }, { mergeWithLastSubmission: false });
    ctx.respond = false;
  });

  return router;
}

/** Pages shown when the interaction is gone (expired, cookie missing, storage restarted). */
export async function renderExpired(ctx: Context): Promise<void> {
  const locale = localeFor(ctx);
  await renderPage(
    ctx,
    '/src/web/views/error',
    locale,
    { title: translate(locale, 'error.title'), message: translate(locale, 'session_expired') },
    { status: 400 },
  );
}
