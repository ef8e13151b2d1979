import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { KapiError } from '../../errors.js';
import type { Actor } from '../../operators/audit-trail.js';
import type { OperatorRole } from '../../operators/roles.js';
import { constantTimeEqual, deriveKey, hmac } from '../../security/crypto.js';
import { formFields } from '../form-fields.js';
import { CONSOLE_PATH } from './client.js';
import type { ConsoleDeps } from './deps.js';
import { renderConsolePage, type OperatorView } from './render.js';
import { consoleSession, type ConsoleSession } from './session.js';

// The gate of every console page (issue 23 point 2; DESIGN.md third round, "Consoles"): the console's
// session, signed in at `high` through Kapı's own login, by an account holding an operator role.
// Auditors read; only administrators change, and every change (and the form that makes it) needs that
// `high` sign-in to be under 15 minutes old: an older one is sent to sign in again.

/** Changes need a `high` sign-in at most this old. */
export const CHANGE_MAX_AGE_SECONDS = 15 * 60;

/** The body parser of console forms: urlencoded only; room for a pasted key set. */
export const consoleForm = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });

export type GateProblem = 'signed_out' | 'level' | 'not_operator' | 'read_only' | 'stale';
const STATUS: Record<GateProblem, number> = { signed_out: 401, level: 403, not_operator: 403, read_only: 403, stale: 403 };

export interface Operator {
  session: ConsoleSession;
  role: OperatorRole;
  actor: Actor;
  view: OperatorView;
}

/** Only a console path may be where a sign-in returns to (no open redirect). */
export function safeConsoleNext(value: unknown): string {
  return typeof value === 'string' && /^\/console(\/[A-Za-z0-9/._:-]*)?$/.test(value) ? value : CONSOLE_PATH;
}

export function consoleSignInUrl(next: string, again: boolean): string {
  const params = new URLSearchParams({ next: safeConsoleNext(next) });
  if (again) params.set('again', '1');
  return `${CONSOLE_PATH}/login?${params.toString()}`;
}

function csrfOf(deps: ConsoleDeps, sid: string): string {
  // Its own derivation: no token of the account pages or the registrar console is good here.
  return hmac(deriveKey(deps.config.masterKey, 'console-csrf'), sid);
}

async function refuse(ctx: Context, problem: GateProblem, operator?: OperatorView): Promise<undefined> {
  const next = ctx.method === 'GET' ? ctx.path : CONSOLE_PATH;
  const signIn = problem === 'signed_out' || problem === 'level' || problem === 'stale' ? consoleSignInUrl(next, problem !== 'signed_out') : undefined;
  await renderConsolePage(ctx, operator, 'gate', { id: 'gate', titleKey: 'console.gate.title', data: { problem, signIn } }, { status: STATUS[problem] });
  return undefined;
}

/**
 * The operator, or undefined once a page has said what is missing. Without a session a GET goes to the
 * sign-in and comes back; a post says the session ended (nothing done). `change`: an administrator
 * with a `high` sign-in under 15 minutes old.
 */
export async function requireOperator(ctx: Context, deps: ConsoleDeps, options: { change?: boolean } = {}): Promise<Operator | undefined> {
  const session = await consoleSession(ctx, deps);
  if (!session) {
    if (ctx.method === 'GET') {
      ctx.redirect(consoleSignInUrl(ctx.path, false));
      return undefined;
    }
    return refuse(ctx, 'signed_out');
  }
  if (session.acr !== 'high') return refuse(ctx, 'level');
  const role = await deps.operators.roles.find(session.accountId);
  if (!role) return refuse(ctx, 'not_operator');
  const account = await deps.services.accounts.findById(session.accountId);
  const name = account ? `${account.givenName} ${account.familyName}` : session.accountId;
  const view: OperatorView = { name, role, csrf: csrfOf(deps, session.sid), administrator: role === 'administrator' };
  if (options.change && role !== 'administrator') return refuse(ctx, 'read_only', view);
  if (options.change && Date.now() / 1000 - session.authTime > CHANGE_MAX_AGE_SECONDS) return refuse(ctx, 'stale', view);
  const operator: Operator = { session, role, view, actor: { accountId: session.accountId, label: name, via: 'console', ip: deps.clientIp(ctx) } };
  (ctx.state as { consoleOperator?: Operator }).consoleOperator = operator;
  return operator;
}

/** A posted console form: the CSRF token checked first (a forged post learns nothing of the gate), then the gate. */
export async function requireOperatorForm(
  ctx: Context,
  deps: ConsoleDeps,
  options: { change?: boolean } = {},
): Promise<{ operator: Operator; input: Record<string, string> } | undefined> {
  const session = await consoleSession(ctx, deps);
  if (session) {
    formFields(ctx, (fields) => {
      if (typeof fields._csrf !== 'string' || !constantTimeEqual(fields._csrf, csrfOf(deps, session.sid))) throw new KapiError('csrf_failed');
    });
  }
  const operator = await requireOperator(ctx, deps, options);
  if (!operator) return undefined;
  // Room for a pasted key set (the keys form); every other field is short anyway.
  return { operator, input: formFields(ctx, undefined, 60_000) };
}
