import type Router from '@koa/router';
import type { Context } from 'koa';
import { OFFICE_CODE, OfficeRefusal } from '../../registrar/office-admin.js';
import { maskNationalId } from '../../registrar/receipt.js';
import { OFFICE_KINDS } from '../../registrar/repository.js';
import { translate } from '../../i18n/index.js';
import { localeFor } from '../locale.js';
import { CONSOLE_PATH } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { consoleForm, requireOperator, requireOperatorForm, type Operator } from './guard.js';
import { consoleTime, renderConsolePage } from './render.js';
import { OFFICE_REFUSAL_LABEL } from './messages.js';

// Offices and registrar staff in the operator console (issue 23 point 2): the offices (code, name,
// kind, open or closed), adding one, closing and opening it; an office's registrars (name, masked
// identity number, granted when and by whom), granting the role and taking it away. Every rule is the
// shared service's (src/registrar/office-admin.ts), the one `kapi registrar` uses; this file reads
// forms and shows answers.

const ACCOUNT_ID = /^[0-9a-f-]{36}$/;

interface Problem {
  form: 'add' | 'grant' | 'revoke';
  message: string;
  field?: string | undefined;
}

export function officeRoutes(router: Router, deps: ConsoleDeps): void {
  const offices = deps.operators.offices;
  const officeHref = (code: string) => `${CONSOLE_PATH}/offices/${encodeURIComponent(code)}`;
  const codeOf = (ctx: Context): string | undefined => (typeof ctx.params.code === 'string' && OFFICE_CODE.test(ctx.params.code) ? ctx.params.code : undefined);
  const problemOf = (ctx: Context, form: Problem['form'], err: unknown): Problem | undefined =>
    err instanceof OfficeRefusal ? { form, message: translate(localeFor(ctx), OFFICE_REFUSAL_LABEL[err.code]), field: err.field } : undefined;

  // -- the offices

  const listPage = async (ctx: Context, operator: Operator, values: Record<string, string> = {}, problem?: Problem) => {
    const all = await offices.listOffices();
    const staff = await offices.staff();
    const count = (code: string) => staff.filter((s) => s.officeCode === code).length;
    await renderConsolePage(
      ctx,
      operator.view,
      'offices',
      {
        id: 'offices',
        titleKey: 'console.offices.title',
        data: {
          offices: all.map((o) => ({ ...o, href: officeHref(o.code), staff: count(o.code) })),
          kinds: OFFICE_KINDS,
          values: { kind: 'ptt', ...values },
          error: problem,
        },
      },
      { status: problem ? 400 : 200 },
    );
  };

  router.get('/offices', async (ctx) => {
    const operator = await requireOperator(ctx, deps);
    if (operator) await listPage(ctx, operator);
  });

  router.post('/offices', consoleForm, async (ctx) => {
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    const input = { code: (form.input.code ?? '').trim().toUpperCase(), name: form.input.name ?? '', kind: form.input.kind ?? '' };
    try {
      await offices.addOffice(form.operator.actor, input);
    } catch (err) {
      const problem = problemOf(ctx, 'add', err);
      if (!problem) throw err;
      return listPage(ctx, form.operator, input, problem);
    }
    ctx.redirect(officeHref(input.code));
  });

  for (const [path, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    router.post(`/offices/:code/${path}`, consoleForm, async (ctx) => {
      const code = codeOf(ctx);
      if (!code) return;
      const form = await requireOperatorForm(ctx, deps, { change: true });
      if (!form) return;
      await offices.setActive(form.operator.actor, code, active);
      ctx.redirect(officeHref(code));
    });
  }

  // -- one office and its registrars

  const officePage = async (ctx: Context, operator: Operator, code: string, values: Record<string, string> = {}, problem?: Problem) => {
    const locale = localeFor(ctx);
    const office = await offices.office(code);
    const staff = (await offices.staff(code)).map((s) => ({
      accountId: s.accountId,
      name: s.name,
      nationalId: maskNationalId(s.nationalId),
      grantedBy: s.grantedBy,
      grantedAt: s.grantedAt.toISOString(),
      grantedTime: consoleTime(s.grantedAt, locale),
    }));
    await renderConsolePage(
      ctx,
      operator.view,
      'office',
      {
        id: 'offices',
        titleKey: 'console.office.title',
        titleParams: { name: office.name },
        data: { office, staff, base: officeHref(code), values, error: problem },
      },
      { status: problem ? 400 : 200 },
    );
  };

  router.get('/offices/:code', async (ctx) => {
    const code = codeOf(ctx);
    if (!code) return;
    const operator = await requireOperator(ctx, deps);
    if (operator) await officePage(ctx, operator, code);
  });

  router.post('/offices/:code/staff', consoleForm, async (ctx) => {
    const code = codeOf(ctx);
    if (!code) return;
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    const nationalId = (form.input.national_id ?? '').slice(0, 32);
    try {
      await offices.grant(form.operator.actor, code, nationalId);
    } catch (err) {
      const problem = problemOf(ctx, 'grant', err);
      if (!problem) throw err;
      return officePage(ctx, form.operator, code, { national_id: nationalId }, problem);
    }
    ctx.redirect(officeHref(code));
  });

  router.post('/offices/:code/staff/revoke', consoleForm, async (ctx) => {
    const code = codeOf(ctx);
    if (!code) return;
    const form = await requireOperatorForm(ctx, deps, { change: true });
    if (!form) return;
    const accountId = form.input.account_id ?? '';
    try {
      if (!ACCOUNT_ID.test(accountId)) throw new OfficeRefusal('not_registrar_here', 'no such registrar');
      await offices.revoke(form.operator.actor, accountId, code);
    } catch (err) {
      const problem = problemOf(ctx, 'revoke', err);
      if (!problem) throw err;
      return officePage(ctx, form.operator, code, {}, problem);
    }
    ctx.redirect(officeHref(code));
  });
}
