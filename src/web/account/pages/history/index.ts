import type Router from '@koa/router';
import { KapiError } from '../../../../errors.js';
import { claimNamesFor } from '../../../../oidc/claims.js';
import type { AccountDeps } from '../../deps.js';
import { accountForm, requireAccount, requireAccountForm } from '../../guard.js';
import { renderAccountPage } from '../../render.js';
import { localeFor } from '../../../locale.js';
import { log } from '../../../../log.js';
import { claimName } from '../../../claim-labels.js';
import { dateText } from './format.js';
import { entryView } from './entry-view.js';
import { institutionsById } from './institutions.js';
import { notMePages } from './not-me.js';
import { withdrawConsent } from './withdraw-consent.js';
import { CHANNEL_LABEL, CONSENT_WITHDRAWN } from './messages.js';

const PAGE_SIZE = 20;

const channelLabel = (channel: string) => (Object.hasOwn(CHANNEL_LABEL, channel) ? CHANNEL_LABEL[channel as keyof typeof CHANNEL_LABEL] : undefined);

/** Login history (every sign-in to Kapı and to each institution) and the institutions that got data. */
export function historyPages(router: Router, deps: AccountDeps): void {
  router.get('/history', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const before = ctx.query.before;
    if (before !== undefined && (typeof before !== 'string' || !/^[1-9]\d{0,17}$/.test(before))) throw new KapiError('invalid_request', 'bad history cursor');
    const rows = await deps.services.audit.signInsOf(session.accountId, { before, limit: PAGE_SIZE + 1 });
    const page = rows.slice(0, PAGE_SIZE);
    const locale = localeFor(ctx);
    const names = await institutionsById(deps.services, [...new Set(page.map((r) => r.clientId).filter((c): c is string => Boolean(c)))]);
    await renderAccountPage(ctx, session, '/src/web/account/pages/history/views/sign-ins', {
      id: 'history',
      titleKey: 'history.title',
      data: {
        entries: page.map((r) => entryView(r, locale, deps.traits, names, deps.ports.locator)),
        olderUrl: rows.length > PAGE_SIZE ? `/account/history?before=${page.at(-1)!.id}` : undefined,
        newestUrl: before ? '/account/history' : undefined,
      },
    });
  });

  router.get('/history/institutions', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const locale = localeFor(ctx);
    const summaries = await deps.services.audit.releasesOf(session.accountId);
    const consents = await deps.services.consents.listFor(session.accountId);
    const consentBy = new Map(consents.map((c) => [c.clientId, c]));
    const names = await institutionsById(deps.services, [...new Set([...summaries.map((s) => s.clientId), ...consents.map((c) => c.clientId)])]);
    const institutions = [];
    const shown = summaries.filter((s) => !names.get(s.clientId)!.firstParty);
    const recentBy = await deps.services.audit.recentReleasesByInstitution(
      session.accountId,
      shown.map((s) => s.clientId),
      5,
    );
    for (const s of shown) {
      const recent = recentBy.get(s.clientId) ?? [];
      institutions.push({
        clientId: s.clientId,
        name: names.get(s.clientId)!.name,
        claims: s.claims.map((c) => claimName(locale, c)),
        released: {
          firstAt: s.firstAt.toISOString(),
          firstAtText: dateText(s.firstAt, locale),
          lastAt: s.lastAt.toISOString(),
          lastAtText: dateText(s.lastAt, locale),
          times: s.times,
        },
        remembered: consentBy.has(s.clientId),
        recent: recent.map((r) => ({
          at: r.at.toISOString(),
          atText: dateText(r.at, locale),
          claims: r.claims.map((c) => claimName(locale, c)).join(', '),
          channel: r.channel,
          channelLabel: channelLabel(r.channel),
        })),
      });
    }
    // A consent given but nothing received yet (the institution never finished the sign-in): it can
    // still be withdrawn, so it is listed with what the consent covers.
    for (const c of consents) {
      if (summaries.some((s) => s.clientId === c.clientId) || names.get(c.clientId)!.firstParty) continue;
      institutions.push({
        clientId: c.clientId,
        name: names.get(c.clientId)!.name,
        claims: claimNamesFor(
          c.scopes.filter((s) => s !== 'offline_access'),
          c.claims,
        )
          .filter((n) => !n.endsWith('_verified'))
          .map((n) => claimName(locale, n)),
        released: undefined,
        remembered: true,
        recent: [],
      });
    }
    // The notice names the institution from the register, never text from the address (no injected message).
    const withdrawn =
      typeof ctx.query.withdrawn === 'string' && ctx.query.withdrawn.length <= 255 && !ctx.query.withdrawn.includes('\u0000')
        ? await deps.services.clients.show(ctx.query.withdrawn)
        : undefined;
    const notice = withdrawn ? String(withdrawn.metadata.client_name ?? withdrawn.clientId) : undefined;
    await renderAccountPage(ctx, session, '/src/web/account/pages/history/views/institutions', {
      id: 'history',
      titleKey: 'history.institutions.title',
      data: { institutions, withdrawnName: notice },
    });
  });

  router.get('/history/institutions/withdraw', (ctx) => ctx.redirect('/account/history/institutions'));
  router.post('/history/institutions/withdraw', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const { session, input } = form;
    const clientId = input.client_id ?? '';
    if (!clientId || clientId.length > 255) throw new KapiError('invalid_request', 'client_id missing');
    // Only an institution that holds this person's consent: nothing to withdraw is "not found",
    // whichever institution was named (no probing of other people's consents, nor of client ids).
    const consent = await deps.services.consents.find(session.accountId, clientId);
    if (!consent) throw new KapiError('not_found', 'no consent to withdraw');
    const grants = await withdrawConsent(deps.services, session.accountId, clientId);
    await deps.services.audit.event({
      type: 'consent.withdrawn',
      accountId: session.accountId,
      clientId,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { scopes: consent.scopes, claims: consent.claims, grants },
    });
    const name = (await institutionsById(deps.services, [clientId])).get(clientId)!.name;
    const account = await deps.services.accounts.findById(session.accountId);
    if (account)
      await deps.ports.notifier
        .notify(account, CONSENT_WITHDRAWN, { institution: name }, localeFor(ctx))
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'consent notification failed'));
    ctx.status = 303;
    ctx.redirect(`/account/history/institutions?withdrawn=${encodeURIComponent(clientId)}`);
  });

  notMePages(router, deps);
}
