import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { isKapiError } from '../../errors.js';
import { trailCsv, trailJson, type TrailRow } from '../../operators/audit-trail.js';
import { translate } from '../../i18n/index.js';
import { ACTION_LABEL } from './messages.js';
import { localeFor } from '../locale.js';
import { CONSOLE_CLIENT_ID, CONSOLE_PATH, consoleSignedOutUri } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { consoleForm, requireOperator, requireOperatorForm, safeConsoleNext, type Operator } from './guard.js';
import { institutionRoutes } from './institutions.js';
import { integrationRoutes } from './integration.js';
import { keyRoutes } from './keys.js';
import { officeRoutes } from './offices.js';
import { consoleTime, renderConsolePage } from './render.js';
import { consoleSession, endConsoleSession, finishSignIn, startSignIn } from './session.js';

// The operator console (issue 23 point 2) on the admin listener: signing in through Kapı's own login,
// institutions (institutions.ts), signing keys (keys.ts), offices and registrar staff (offices.ts) and the audit trail, read and exported here.
// Every rule is the shared services' (src/clients/institution-admin.ts, registrar/office-admin.ts, keys/key-store.ts), the ones
// `kapi` uses; this file only reads forms and shows answers.

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: CONSOLE_PATH, sensitive: true });

  // A refusal of the services that is no form's (an unknown institution, a rotation too early): a page saying it.
  router.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!isKapiError(err) || (err.code !== 'not_found' && err.code !== 'invalid_request')) throw err;
      const operator = (ctx.state as { consoleOperator?: Operator }).consoleOperator;
      await renderConsolePage(
        ctx,
        operator?.view,
        'refused',
        { id: 'refused', titleKey: 'console.error.title', data: { message: err.message } },
        { status: err.status },
      );
    }
  });

  // -- signing in: Kapı's own login, through the console's built-in client (client.ts, session.ts)

  router.get('/login', async (ctx) => {
    ctx.redirect(startSignIn(ctx, deps, safeConsoleNext(ctx.query.next), ctx.query.again === '1', localeFor(ctx)));
  });

  router.get('/callback', async (ctx) => {
    const next = typeof ctx.query.error === 'string' ? undefined : await finishSignIn(ctx, deps);
    if (!next) {
      await renderConsolePage(
        ctx,
        undefined,
        'signed-out',
        { id: 'signed-out', titleKey: 'console.signed_out.title', data: { messageKey: 'console.login_failed' } },
        { status: 400 },
      );
      return;
    }
    ctx.redirect(safeConsoleNext(next));
  });

  // Sign-out ends the console's session here and Kapı's through oidc-provider's end_session.
  router.post('/logout', consoleForm, async (ctx) => {
    const session = await consoleSession(ctx, deps);
    if (session) {
      const form = await requireOperatorForm(ctx, deps);
      if (!form) return;
      // Ended here, on the server, before Kapı's logout page asks its question: a copy of the console
      // cookie taken earlier is refused from now on, whether or not she confirms that page.
      await deps.services.sessions.end(session.accountId, session.uid, 'signed_out');
    }
    endConsoleSession(ctx);
    const params = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      post_logout_redirect_uri: consoleSignedOutUri(deps.origin()),
      ui_locales: localeFor(ctx),
    });
    ctx.redirect(`${deps.config.issuer}/session/end?${params.toString()}`);
  });

  router.get('/signed-out', async (ctx) => {
    await renderConsolePage(ctx, undefined, 'signed-out', {
      id: 'signed-out',
      titleKey: 'console.signed_out.title',
      data: { messageKey: 'console.signed_out.body' },
    });
  });

  institutionRoutes(router, deps);
  integrationRoutes(router, deps);
  keyRoutes(router, deps);
  officeRoutes(router, deps);

  // -- the audit trail: read, and exported as CSV or JSON

  const PAGE = 50;
  router.get('/audit', async (ctx) => {
    const operator = await requireOperator(ctx, deps);
    if (!operator) return;
    const locale = localeFor(ctx);
    const before = typeof ctx.query.before === 'string' ? ctx.query.before : undefined;
    const clientId = typeof ctx.query.client_id === 'string' && ctx.query.client_id ? ctx.query.client_id.slice(0, 128) : undefined;
    const rows = await deps.operators.trail.list({ limit: PAGE + 1, before, clientId });
    const shown = rows.slice(0, PAGE);
    const row = (r: TrailRow) => ({
      id: r.id,
      at: r.at.toISOString(),
      time: consoleTime(r.at, locale),
      action: ACTION_LABEL[r.action] ? translate(locale, ACTION_LABEL[r.action]!) : r.action,
      actor: r.actor,
      via: r.via,
      clientId: r.clientId ?? '',
      target: r.target ?? '',
      detail: r.detail ? JSON.stringify(r.detail) : '',
    });
    const query = (extra: Record<string, string>) => `?${new URLSearchParams({ ...(clientId ? { client_id: clientId } : {}), ...extra }).toString()}`;
    await renderConsolePage(ctx, operator.view, 'audit', {
      id: 'audit',
      titleKey: 'console.audit.title',
      data: {
        rows: shown.map(row),
        clientId: clientId ?? '',
        older: rows.length > PAGE ? `${CONSOLE_PATH}/audit${query({ before: shown.at(-1)!.id })}` : undefined,
        csv: `${CONSOLE_PATH}/audit/export${query({ format: 'csv' })}`,
        json: `${CONSOLE_PATH}/audit/export${query({ format: 'json' })}`,
      },
    });
  });

  router.get('/audit/export', async (ctx) => {
    const operator = await requireOperator(ctx, deps);
    if (!operator) return;
    const clientId = typeof ctx.query.client_id === 'string' && ctx.query.client_id ? ctx.query.client_id.slice(0, 128) : undefined;
    const rows = await deps.operators.trail.list({ limit: 10_000, clientId });
    const csv = ctx.query.format === 'csv';
    const stamp = new Date().toISOString().slice(0, 10);
    // Reading the trail is an action too: an auditor's export is on the record.
    await deps.operators.trail.record(operator.actor, { action: 'audit.export', clientId, detail: { format: csv ? 'csv' : 'json', rows: rows.length } });
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="kapi-operator-audit-${stamp}.${csv ? 'csv' : 'json'}"`);
    ctx.type = csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.body = csv ? trailCsv(rows) : JSON.stringify(trailJson(rows), null, 2);
  });

  return router;
}
