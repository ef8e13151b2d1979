import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { KapiError } from '../../errors.js';
import type { MessageKey } from '../../i18n/index.js';
import { isRefusal } from '../../registrar/refusal.js';
import type { Office } from '../../registrar/repository.js';
import type { StaffContext } from '../../registrar/types.js';
import { constantTimeEqual, deriveKey, hmac } from '../../security/crypto.js';
import { currentSession, type AccountSession } from '../account/session.js';
import { formFields } from '../form-fields.js';
import { OFFICE_PATH } from './client.js';
import type { OfficeDeps } from './deps.js';
import { renderOfficePage, type ClerkView } from './render.js';

// The gate of every console page (DESIGN.md, third round, "Consoles"): Kapı's own session, signed in at
// `high` (the registrar API's rule for its tokens), by an account holding the registrar role of an
// active office (the service's own check, `authorize`). Issuing and cancelling (and their forms) also
// need that `high` sign-in to be under 15 minutes old; an older one is sent to sign in again.

/** Changes need a `high` sign-in at most this old. */
export const CHANGE_MAX_AGE_SECONDS = 15 * 60;

/** The body parser of every console form: urlencoded only, small. */
export const officeForm = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

export interface Clerk {
  session: AccountSession;
  staff: StaffContext;
  office: Office;
  view: ClerkView;
}

export type GateProblem = 'signed_out' | 'level' | 'not_registrar' | 'office_inactive' | 'stale';

/** Only a console path may be where a sign-in returns to (no open redirect). */
export function safeOfficeNext(value: unknown): string {
  return typeof value === 'string' && /^\/office(\/[A-Za-z0-9/_-]*)?$/.test(value) ? value : OFFICE_PATH;
}

/** The console's sign-in: at `high`; `again` asks for a fresh proof whatever session exists (step-up). */
export function officeSignInUrl(next: string, again: boolean): string {
  const params = new URLSearchParams({ next: safeOfficeNext(next) });
  if (again) params.set('again', '1');
  return `${OFFICE_PATH}/login?${params.toString()}`;
}

function csrfOf(deps: OfficeDeps, uid: string): string {
  // Its own derivation: an account page's token is no good on a console form, and the other way round.
  return hmac(deriveKey(deps.config.masterKey, 'office-csrf'), uid);
}

const STATUS: Record<GateProblem, number> = { signed_out: 401, level: 403, not_registrar: 403, office_inactive: 403, stale: 403 };
const GATE_MESSAGE = {
  signed_out: 'office.gate.signed_out',
  level: 'office.gate.level',
  not_registrar: 'office.gate.not_registrar',
  office_inactive: 'office.gate.office_inactive',
  stale: 'office.gate.stale',
} as const satisfies Record<GateProblem, MessageKey>;

async function refuse(ctx: Context, problem: GateProblem): Promise<undefined> {
  // After a sign-in, the clerk starts from the page she asked for (GET) or the console's start (a form
  // post cannot be repeated by a redirect; nothing of it was done).
  const next = ctx.method === 'GET' ? ctx.path : OFFICE_PATH;
  const signIn = problem === 'not_registrar' || problem === 'office_inactive' ? undefined : officeSignInUrl(next, problem !== 'signed_out');
  await renderOfficePage(
    ctx,
    undefined,
    'gate',
    { id: 'gate', titleKey: 'office.gate.title', data: { problem, messageKey: GATE_MESSAGE[problem], signIn } },
    { status: STATUS[problem] },
  );
  return undefined;
}

/**
 * The clerk at the counter, or undefined once a page has said what is missing. Without a session a
 * GET goes to the sign-in and comes back; a post says the session ended (nothing done).
 */
export async function requireClerk(ctx: Context, deps: OfficeDeps, options: { change?: boolean } = {}): Promise<Clerk | undefined> {
  const session = await currentSession(ctx, deps);
  if (!session) {
    if (ctx.method === 'GET') {
      ctx.redirect(officeSignInUrl(ctx.path, false));
      return undefined;
    }
    return refuse(ctx, 'signed_out');
  }
  if (session.acr !== 'high') return refuse(ctx, 'level');
  const role = await deps.service.repository.findRole(session.accountId);
  if (!role) return refuse(ctx, 'not_registrar');
  const staff: StaffContext = { officeCode: role.officeCode, staffAccountId: session.accountId, via: 'console', ip: deps.clientIp(ctx) };
  let authorized: Awaited<ReturnType<OfficeDeps['service']['authorize']>>;
  try {
    authorized = await deps.service.authorize(staff);
  } catch (err) {
    if (isRefusal(err) && (err.code === 'not_registrar' || err.code === 'office_unknown')) return refuse(ctx, 'not_registrar');
    if (isRefusal(err) && err.code === 'office_inactive') return refuse(ctx, 'office_inactive');
    throw err;
  }
  if (options.change && Date.now() / 1000 - session.loginTs > CHANGE_MAX_AGE_SECONDS) return refuse(ctx, 'stale');
  const csrf = csrfOf(deps, session.uid);
  const clerk: Clerk = {
    session,
    staff,
    office: authorized.office,
    view: { name: authorized.staffName, officeName: authorized.office.name, officeCode: authorized.office.code, csrf },
  };
  (ctx.state as { officeClerk?: Clerk }).officeClerk = clerk;
  return clerk;
}

/** A posted console form: the clerk (per options) and its fields, the CSRF token checked first. */
export async function requireClerkForm(
  ctx: Context,
  deps: OfficeDeps,
  options: { change?: boolean } = {},
): Promise<{ clerk: Clerk; input: Record<string, string> } | undefined> {
  // The token is checked before anything else is said: a forged post learns nothing of the gate.
  const session = await currentSession(ctx, deps);
  if (session) {
    formFields(ctx, (fields) => {
      if (typeof fields._csrf !== 'string' || !constantTimeEqual(fields._csrf, csrfOf(deps, session.uid))) throw new KapiError('csrf_failed');
    });
  }
  const clerk = await requireClerk(ctx, deps, options);
  if (!clerk) return undefined;
  return { clerk, input: formFields(ctx) };
}
