import type Router from '@koa/router';
import { KapiError } from '../../../../errors.js';
import { log } from '../../../../log.js';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import type { AccountDeps } from '../../deps.js';
import { accountForm, requireAccount, requireAccountForm } from '../../guard.js';
import { renderAccountPage, renderSignedOut } from '../../render.js';
import { translate, type MessageKey } from '../../../../i18n/index.js';
import { LEVEL_LABEL } from '../../../messages.js';
import { localeFor } from '../../../locale.js';
import { deviceText } from '../history/device.js';
import { dateText } from '../history/format.js';
import { methodName } from '../../method-name.js';
import { institutionsById } from '../history/institutions.js';
import { SIGNED_OUT_EVERYWHERE } from './messages.js';

// oidc-provider session uids are nanoids; anything else cannot name a session.
const UID = /^[A-Za-z0-9_-]{1,64}$/;

interface SessionPayload {
  authorizations?: Record<string, unknown>;
}

/** Where the person is signed in: each session, ending one, signing out everywhere. */
export function sessionsPages(router: Router, deps: AccountDeps): void {
  router.get('/sessions', async (ctx) => {
    const session = await requireAccount(ctx, deps);
    if (!session) return;
    const locale = localeFor(ctx);
    const indexed = await deps.services.sessions.listActive(session.accountId);
    // The institutions each session signed in to (oidc-provider's own session record knows them). A
    // session whose record is gone expired while idle: the person is no longer signed in there.
    const sessionModel = new deps.services.adapter('Session');
    const clientsOf = new Map<string, string[]>();
    const active = [];
    for (const s of indexed) {
      const payload = (await sessionModel.findByUid(s.uid)) as SessionPayload | undefined;
      if (!payload && s.uid !== session.uid) continue;
      active.push(s);
      clientsOf.set(
        s.uid,
        Object.keys(payload?.authorizations ?? {}).filter((c) => c !== ACCOUNT_CLIENT_ID),
      );
    }
    const names = await institutionsById(deps.services, [...new Set([...clientsOf.values()].flat())]);
    // This browser first: it is the one the person knows.
    const ordered = [...active.filter((s) => s.uid === session.uid), ...active.filter((s) => s.uid !== session.uid)];
    await renderAccountPage(ctx, session, '/src/web/account/pages/sessions/views/sessions', {
      id: 'sessions',
      titleKey: 'sessions.title',
      data: {
        sessions: ordered.map((s) => ({
          uid: s.uid,
          current: s.uid === session.uid,
          methods: s.methods.map((m) => methodName(locale, deps.traits, m)).join(' + '),
          level: translate(locale, LEVEL_LABEL[s.acr]),
          signedInAt: s.signedInAt.toISOString(),
          signedInAtText: dateText(s.signedInAt, locale),
          ip: s.ip,
          device: deviceText(s.userAgent),
          institutions: (clientsOf.get(s.uid) ?? []).map((c) => names.get(c)!.name),
        })),
        notice: ctx.query.notice === 'ended' ? ('sessions.notice.ended' satisfies MessageKey) : undefined,
      },
    });
  });

  router.get('/sessions/end', (ctx) => ctx.redirect('/account/sessions'));
  router.post('/sessions/end', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const { session, input } = form;
    const uid = input.uid ?? '';
    if (!UID.test(uid)) throw new KapiError('invalid_request', 'bad session uid');
    // end() only ends a session of this account: another person's uid is "not found", like a made-up one.
    if (!(await deps.services.sessions.end(session.accountId, uid, 'signed_out'))) throw new KapiError('not_found', 'no such session');
    await deps.services.audit.event({
      type: 'session.ended',
      accountId: session.accountId,
      clientId: ACCOUNT_CLIENT_ID,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { uid, current: uid === session.uid },
    });
    if (uid === session.uid) {
      await renderSignedOut(ctx, 'account.signed_out.body');
      return;
    }
    ctx.status = 303;
    ctx.redirect('/account/sessions?notice=ended');
  });

  router.get('/sessions/end-all', (ctx) => ctx.redirect('/account/sessions'));
  router.post('/sessions/end-all', accountForm, async (ctx) => {
    const form = await requireAccountForm(ctx, deps);
    if (!form) return;
    const { session } = form;
    // Every session, this one included; each institution signed in through them gets a back-channel
    // logout token (failures are retried from the outbox); every grant and refresh token of the person
    // goes, offline_access ones included, and Kapı's own APIs refuse her older tokens at once.
    const ended = await deps.services.sessions.endForAccount(session.accountId, { reason: 'signed_out_everywhere', revokeTokens: true });
    await deps.services.audit.event({
      type: 'session.signed_out_everywhere',
      accountId: session.accountId,
      clientId: ACCOUNT_CLIENT_ID,
      actor: 'self',
      ip: deps.clientIp(ctx),
      detail: { sessions: ended },
    });
    const account = await deps.services.accounts.findById(session.accountId);
    const locale = localeFor(ctx);
    if (account)
      await deps.ports.notifier
        .notify(account, SIGNED_OUT_EVERYWHERE, { sessions: ended }, locale)
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'sign-out notification failed'));
    await renderSignedOut(ctx, 'sessions.signed_out_everywhere');
  });
}
