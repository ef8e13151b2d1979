import type { Context } from 'koa';
import type { InteractionLike } from '../../engine/flow-store.js';
import type { ClientView, Flow } from '../../engine/types.js';
import { claimNamesFor } from '../../oidc/claims.js';
import { claimName } from '../claim-labels.js';
import { translate } from '../../i18n/index.js';
import { renderPage } from '../render.js';
import type { InteractionDeps } from './context.js';

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

function missing(interaction: InteractionLike): Required<ConsentDetails> {
  const d = interaction.prompt.details as ConsentDetails;
  return { missingOIDCScope: d.missingOIDCScope ?? [], missingOIDCClaims: d.missingOIDCClaims ?? [], missingResourceScopes: d.missingResourceScopes ?? {} };
}

/**
 * The consent page: the institution and exactly which claims it will receive. The prompt's details hold
 * only claims within the institution's registration (src/oidc/consent-check.ts), so neither this page
 * nor the grant decided below ever holds another.
 */
export async function showConsent(
  deps: Pick<InteractionDeps, 'accounts' | 'resourceServers'>,
  ctx: Context,
  interaction: InteractionLike,
  flow: Flow,
  client: ClientView,
): Promise<void> {
  const m = missing(interaction);
  const claims = claimNamesFor(m.missingOIDCScope, m.missingOIDCClaims).filter((c) => !c.endsWith('_verified'));
  const extras = m.missingOIDCScope.includes('offline_access') ? ['offline_access'] : [];
  // The identity number is named for the person's identity type (a foreigner's YKN, a blue card).
  const naming =
    claims.some((c) => c.startsWith('national_id')) && interaction.session?.accountId ? await deps.accounts.findById(interaction.session.accountId) : undefined;
  // The APIs an access token is asked for, with their scopes: "Allow" grants them too (decideConsent), so
  // the page names them; an API is never granted behind "asks for nothing beyond who you are".
  const apis = await Promise.all(
    Object.entries(m.missingResourceScopes)
      .filter(([, scopes]) => scopes.length)
      .map(async ([identifier, scopes]) => ({
        identifier,
        name: (await deps.resourceServers?.find(identifier).catch(() => undefined))?.name ?? identifier,
        scopes: scopes.join(' '),
      })),
  );
  return renderPage(ctx, '/src/web/views/consent', flow.locale, {
    title: translate(flow.locale, 'consent.title'),
    uid: interaction.uid,
    csrf: flow.csrf,
    client,
    claims: [...claims, ...extras].map((name) => ({ name, label: claimName(flow.locale, name, naming?.nationalIdType) })),
    apis,
  });
}

/**
 * The result keeps the page's form token (`kapi.csrf`) beside the decision: a second post of the same page
 * (a double click whose request leaves after the first was answered, a resubmitted page) passes its token
 * check and is sent on to resume with the decision that finished (routes.ts), not refused 403.
 */
export async function decideConsent(deps: InteractionDeps, ctx: Context, interaction: InteractionLike, allow: boolean, csrf: string): Promise<void> {
  const provider = deps.provider();
  const clientId = interaction.params.client_id as string;
  const accountId = interaction.session?.accountId;
  if (!allow || !accountId) {
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'the person did not allow sharing', kapi: { csrf } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
    return;
  }
  const m = missing(interaction);
  const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error('grant vanished during consent');
  if (m.missingOIDCScope.length) grant.addOIDCScope(m.missingOIDCScope.join(' '));
  if (m.missingOIDCClaims.length) grant.addOIDCClaims(m.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(m.missingResourceScopes)) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  // Remembered per institution, so the next sign-in in a new session does not ask again.
  await deps.consents.remember({ accountId, clientId, scopes: m.missingOIDCScope, claims: m.missingOIDCClaims });
  await deps.audit.event({
    type: 'consent.granted',
    accountId,
    clientId,
    ip: deps.clientIp(ctx),
    detail: { scopes: m.missingOIDCScope, claims: m.missingOIDCClaims },
  });
  // Merged with the login's result (oidc-provider's lastSubmission), whose `kapi` the resume reads.
  const earlier = (interaction as InteractionLike & { lastSubmission?: { kapi?: Record<string, unknown> } }).lastSubmission?.kapi;
  await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId }, kapi: { ...earlier, csrf } }, { mergeWithLastSubmission: true });
  ctx.respond = false;
}
