import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Changed } from '../../clients/institution-admin.js';
import { parseJwks } from '../../clients/jwks.js';
import { SCOPE_CLAIMS } from '../../oidc/claims.js';
import type { StoredClient } from '../../clients/client-service.js';
import { translate, type Locale } from '../../i18n/index.js';
import { FIELD_LABEL, SCOPE_LABEL, type ConsoleField } from './messages.js';
import { localeFor } from '../locale.js';
import { CONSOLE_PATH } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { consoleForm, requireOperator, requireOperatorForm, type Operator } from './guard.js';
import {
  ACR_LEVELS,
  APPROVABLE_SCOPES,
  AUTH_METHODS,
  FLAGS,
  FormRefusal,
  formRefusalOf,
  formValues,
  ID_TOKEN_ALGS,
  scopesInput,
  settingsInput,
} from './institution-form.js';
import { consoleTime, renderConsolePage } from './render.js';

// Institutions in the operator console: list and search, register, edit every option `kapi clients`
// has, rotate the client secret (shown once), keys (a jwks_uri or an uploaded key set), the claims the
// institution may receive (each approval recorded: who, for whom, when), suspend and resume. Each
// change goes through the shared service (src/clients/institution-admin.ts) and its audit trail.

const CLIENT_ID = /^[A-Za-z0-9._:-]{3,128}$/;

/** Choices of the settings form's selects and boxes. */
const CHOICES = { authMethods: AUTH_METHODS, acrLevels: ACR_LEVELS, idTokenAlgs: ID_TOKEN_ALGS, flags: FLAGS, scopes: APPROVABLE_SCOPES };

function summary(c: StoredClient) {
  return {
    clientId: c.clientId,
    name: String(c.metadata.client_name ?? c.clientId),
    auth: String(c.metadata.token_endpoint_auth_method ?? ''),
    scope: String(c.metadata.scope ?? 'openid'),
    suspended: c.suspendedAt !== null,
    builtIn: c.metadata.first_party === true,
    href: `${CONSOLE_PATH}/institutions/${encodeURIComponent(c.clientId)}`,
  };
}

export function institutionRoutes(router: Router, deps: ConsoleDeps): void {
  const institutions = deps.operators.institutions;

  const clientIdOf = (ctx: Context): string | undefined => {
    const id = ctx.params.id;
    return typeof id === 'string' && CLIENT_ID.test(id) ? id : undefined;
  };

  // -- the list, with a search over client id and name

  router.get('/', async (ctx) => {
    const operator = await requireOperator(ctx, deps);
    if (!operator) return;
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, 100) : '';
    const needle = q.toLocaleLowerCase('tr');
    const all = (await institutions.list()).map(summary);
    const found = needle ? all.filter((c) => c.clientId.toLocaleLowerCase('tr').includes(needle) || c.name.toLocaleLowerCase('tr').includes(needle)) : all;
    await renderConsolePage(ctx, operator.view, 'institutions', {
      id: 'institutions',
      titleKey: 'console.institutions.title',
      data: { institutions: found, q, total: all.length },
    });
  });

  // -- registering

  const registerPage = (ctx: Context, operator: Operator, values: Record<string, string>, error?: FormRefusal) =>
    renderConsolePage(
      ctx,
      operator.view,
      'settings-form',
      {
        id: 'register',
        titleKey: 'console.register.title',
        data: {
          mode: 'register',
          action: `${CONSOLE_PATH}/institutions`,
          values,
          choices: CHOICES,
          error: error && { message: error.message, field: error.field },
        },
      },
      { status: error ? 400 : 200 },
    );

  router.get('/institutions/new', async (ctx) => {
    const operator = await requireOperator(ctx, deps, { change: true });
    if (operator) await registerPage(ctx, operator, { subject_type: 'pairwise', auth: '' });
  });

  router.post('/institutions', consoleForm, async (ctx) => {
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    let changed: Changed;
    try {
      changed = await institutions.register(form.operator.actor, settingsInput(form.input, 'register'));
    } catch (err) {
      const refusal = formRefusalOf(err);
      if (!refusal) throw err;
      return registerPage(ctx, form.operator, form.input, refusal);
    }
    await secretPage(ctx, form.operator, changed, 'registered', 201);
  });

  /** After a change that may have made a secret: the secret, shown this once, and the way on. */
  const secretPage = (ctx: Context, operator: Operator, changed: Changed, what: 'registered' | 'rotated' | 'updated', status = 200) => {
    const clientId = String(changed.metadata.client_id);
    return renderConsolePage(
      ctx,
      operator.view,
      'changed',
      {
        id: 'changed',
        titleKey: `console.changed.${what}`,
        data: {
          clientId,
          name: String(changed.metadata.client_name ?? clientId),
          secret: changed.secret,
          href: `${CONSOLE_PATH}/institutions/${encodeURIComponent(clientId)}`,
        },
      },
      { status },
    );
  };

  // -- one institution

  const detailPage = async (ctx: Context, operator: Operator, clientId: string, problem?: { form: string; error: FormRefusal }) => {
    const locale = localeFor(ctx);
    const client = await institutions.show(clientId);
    const m = client.metadata;
    const scopes = String(m.scope ?? 'openid')
      .split(' ')
      .filter(Boolean);
    const claims = await Promise.all(
      APPROVABLE_SCOPES.map(async (scope) => {
        const approval = scopes.includes(scope) ? await institutions.trail.approvalOf(clientId, scope) : undefined;
        return {
          scope,
          label: SCOPE_LABEL[scope] ? translate(locale, SCOPE_LABEL[scope]) : scope,
          claims: ((SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? []).join(', '),
          approved: scopes.includes(scope),
          approval: approval && { actor: approval.actor, at: approval.at.toISOString(), time: consoleTime(approval.at, locale) },
        };
      }),
    );
    const jwks = m.jwks as { keys?: unknown[] } | undefined;
    await renderConsolePage(
      ctx,
      operator.view,
      'institution',
      {
        id: 'institution',
        titleKey: 'console.institution.title',
        titleParams: { name: String(m.client_name ?? clientId) },
        data: {
          c: { ...summary(client), created: consoleTime(client.createdAt, locale), suspendedAt: client.suspendedAt && consoleTime(client.suspendedAt, locale) },
          settings: settingsRows(m, locale),
          claims,
          keys: { jwksUri: typeof m.jwks_uri === 'string' ? m.jwks_uri : '', count: jwks?.keys?.length ?? 0 },
          hasSecret: m.client_secret !== undefined,
          problem: problem && { form: problem.form, message: problem.error.message, field: problem.error.field },
          base: `${CONSOLE_PATH}/institutions/${encodeURIComponent(clientId)}`,
        },
      },
      { status: problem ? 400 : 200 },
    );
  };

  router.get('/institutions/:id', async (ctx) => {
    const clientId = clientIdOf(ctx);
    if (!clientId) return;
    const operator = await requireOperator(ctx, deps);
    if (operator) await detailPage(ctx, operator, clientId);
  });

  // -- editing every option of `kapi clients update`

  const editPage = (ctx: Context, operator: Operator, clientId: string, values: Record<string, string>, error?: FormRefusal) =>
    renderConsolePage(
      ctx,
      operator.view,
      'settings-form',
      {
        id: 'edit',
        titleKey: 'console.edit.title',
        data: {
          mode: 'edit',
          clientId,
          action: `${CONSOLE_PATH}/institutions/${encodeURIComponent(clientId)}`,
          values,
          choices: CHOICES,
          error: error && { message: error.message, field: error.field },
        },
      },
      { status: error ? 400 : 200 },
    );

  router.get('/institutions/:id/edit', async (ctx) => {
    const clientId = clientIdOf(ctx);
    if (!clientId) return;
    const operator = await requireOperator(ctx, deps, { change: true });
    if (operator) await editPage(ctx, operator, clientId, formValues((await institutions.show(clientId)).metadata));
  });

  router.post('/institutions/:id', consoleForm, async (ctx) => {
    const clientId = clientIdOf(ctx);
    if (!clientId) return;
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    let changed: Changed;
    try {
      changed = await institutions.update(form.operator.actor, clientId, settingsInput(form.input, 'edit'));
    } catch (err) {
      const refusal = formRefusalOf(err);
      if (!refusal) throw err;
      return editPage(ctx, form.operator, clientId, form.input, refusal);
    }
    await secretPage(ctx, form.operator, changed, 'updated');
  });

  // -- the secret, the keys, the claims, suspension: one form each on the institution's page

  const change = (
    path: string,
    formName: string,
    act: (operator: Operator, clientId: string, input: Record<string, string>, locale: Locale) => Promise<Changed | 'detail'>,
  ) => {
    router.post(`/institutions/:id/${path}`, consoleForm, async (ctx) => {
      const clientId = clientIdOf(ctx);
      if (!clientId) return;
      const form = await requireOperatorForm(ctx, deps, { change: true });
      if (!form) return;
      let done: Changed | 'detail';
      try {
        done = await act(form.operator, clientId, form.input, localeFor(ctx));
      } catch (err) {
        const refusal = formRefusalOf(err);
        if (!refusal || (err as { code?: string }).code === 'not_found') throw err;
        return detailPage(ctx, form.operator, clientId, { form: formName, error: refusal });
      }
      if (done === 'detail') return ctx.redirect(`${CONSOLE_PATH}/institutions/${encodeURIComponent(clientId)}`);
      await secretPage(ctx, form.operator, done, formName === 'secret' ? 'rotated' : 'updated');
    });
  };

  change('rotate-secret', 'secret', (operator, clientId) => institutions.rotateSecret(operator.actor, clientId));
  change('keys', 'keys', async (operator, clientId, input, locale) => {
    const jwksUri = (input.jwks_uri ?? '').trim();
    const jwks = (input.jwks ?? '').trim();
    // One or the other, as `kapi clients --jwks-uri | --jwks-file`.
    if (Boolean(jwksUri) === Boolean(jwks)) throw new FormRefusal(translate(locale, 'console.keys_form.one'), 'jwks_uri');
    await institutions.setKeys(operator.actor, clientId, jwksUri ? { jwksUri } : { jwks: parseJwks(jwks, 'jwks') });
    return 'detail';
  });
  change('claims', 'claims', async (operator, clientId, input) => {
    await institutions.approveClaims(operator.actor, clientId, scopesInput(input));
    return 'detail';
  });
  change('suspend', 'suspend', async (operator, clientId, input) => {
    await institutions.suspend(operator.actor, clientId, (input.reason ?? '').trim());
    return 'detail';
  });
  change('resume', 'suspend', async (operator, clientId) => {
    await institutions.resume(operator.actor, clientId);
    return 'detail';
  });
}

/** The institution's settings as lines of a table, in the operator's language. */
function settingsRows(m: Record<string, unknown>, locale: Locale): { key: string; label: string; value: string }[] {
  const list = (v: unknown) => (Array.isArray(v) && v.length ? v.join(', ') : '—');
  const yes = (v: unknown) => translate(locale, v === true ? 'console.yes' : 'console.no');
  const rows: [ConsoleField, string][] = [
    ['client_id', String(m.client_id)],
    ['name', String(m.client_name ?? '')],
    ['redirect_uris', list(m.redirect_uris)],
    ['post_logout_uris', list(m.post_logout_redirect_uris)],
    ['backchannel_logout_uri', String(m.backchannel_logout_uri ?? '—')],
    ['auth', String(m.token_endpoint_auth_method ?? '')],
    ['min_acr', String(m.min_acr ?? '—')],
    ['id_token_alg', String(m.id_token_signed_response_alg ?? translate(locale, 'console.default_alg'))],
    ['subject_type', String(m.subject_type ?? 'pairwise')],
    ['institution_id', String(m.institution_id ?? m.client_id)],
    ['par_required', yes(m.require_pushed_authorization_requests)],
    ['dpop_required', yes(m.dpop_bound_access_tokens)],
    ['fapi', yes(m.fapi)],
    ['grant_types', list(m.grant_types)],
  ];
  return rows.map(([key, value]) => ({ key, label: translate(locale, FIELD_LABEL[key]), value }));
}
