import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { BankAuthorization, BankFailure } from '../../adapters/banks/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import type { MessageKey } from '../../src/i18n/index.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import { log } from '../../src/log.js';
import { constantTimeEqual, hmac } from '../../src/security/crypto.js';
import { accountForBankCustomer } from './accounts.js';
import { bankAmr, bankLevel } from './assurance.js';
import type { BankEntry } from './banks.js';
import type { BankLinks } from './links.js';
import { RETURN_TTL_SECONDS, type BankReturns } from './returns.js';
import './messages.js';

export const BANKING_METHOD_ID = 'banking';
/** The redirect URI registered at every bank (router.ts); the answer is bound to the browser there. */
export const BANK_CALLBACK_PATH = '/banking/callback';
const BANKS_VIEW = '/interactions/banking/views/banks';

export interface BankingMethodDeps {
  banks: readonly BankEntry[];
  returns: BankReturns;
  links: BankLinks;
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  /** Key of the bank-subject hashes kept in bank_links. */
  subjectKey: Buffer;
  /**
   * A per-process random value only the bank link route (router.ts) knows: `continue` accepts a bank
   * choice with an interaction uid only from that route, never from a posted form.
   */
  routeKey: string;
}

/** Page status and message for each way a bank login can fail. */
const FAILURE = {
  cancelled: { status: 400, message: 'banking.cancelled' },
  bank_error: { status: 502, message: 'banking.bank_error' },
  unreachable: { status: 504, message: 'banking.unreachable' },
  invalid_answer: { status: 400, message: 'banking.invalid_answer' },
  id_missing: { status: 502, message: 'banking.id_missing' },
  id_malformed: { status: 502, message: 'banking.id_malformed' },
  not_in_registry: { status: 403, message: 'banking.not_in_registry' },
  subject_mismatch: { status: 400, message: 'banking.subject_mismatch' },
  blocked: { status: 403, message: 'banking.blocked' },
  unknown_bank: { status: 400, message: 'banking.unknown_bank' },
  answer_elsewhere: { status: 400, message: 'banking.answer_elsewhere' },
} as const satisfies Record<
  BankFailure | 'id_missing' | 'id_malformed' | 'not_in_registry' | 'subject_mismatch' | 'blocked' | 'unknown_bank' | 'answer_elsewhere',
  { status: number; message: MessageKey }
>;
type FailureCode = keyof typeof FAILURE;

interface RedirectState {
  phase: 'redirected';
  bank: string;
  returnKey: string;
  expected: Omit<BankAuthorization, 'url'>;
}

/**
 * Online banking (DESIGN.md: first factor, `substantial`, amr `fed` + the bank's). The person picks
 * a bank, is sent to the bank's own login, and comes back through /banking/callback (router.ts),
 * which files the answer; the interaction's own request then lands here (`start` in phase
 * `redirected`) and the answer is validated, read and merged into the flow.
 */
export function bankingMethod(deps: BankingMethodDeps): Method {
  const enabled = () => deps.banks.filter((b) => b.enabled);

  const chooser = (failure?: FailureCode, blocked = false): Step => ({
    kind: 'prompt',
    view: BANKS_VIEW,
    ...(failure ? { error: { code: FAILURE[failure].message }, status: FAILURE[failure].status } : {}),
    data: {
      blocked,
      banks: blocked ? [] : enabled().map((b) => ({ id: b.id, name: b.name, logo: b.logo ? `/banking/logo/${b.id}` : undefined })),
    },
  });

  /** A person already known to this flow (a step-up) who closed bank login is refused before any redirect. */
  async function blockedBeforeRedirect(ctx: MethodContext): Promise<boolean> {
    if (!ctx.flow.accountId) return false;
    const account = await deps.accounts.findById(ctx.flow.accountId);
    return account !== undefined && !account.bankLoginEnabled;
  }

  async function refuse(ctx: MethodContext, failure: FailureCode, bank: string | undefined, detail?: string, accountId?: string): Promise<Step> {
    log.warn({ method: BANKING_METHOD_ID, bank, failure, detail }, 'online-banking sign-in failed');
    await deps.audit.signIn({
      accountId,
      clientId: ctx.client.clientId,
      method: BANKING_METHOD_ID,
      result: `bank_${failure}`,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return chooser(failure, failure === 'blocked');
  }

  async function redirectTo(ctx: MethodContext, bankId: string, uid: string): Promise<Step> {
    if (await blockedBeforeRedirect(ctx)) return refuse(ctx, 'blocked', bankId, 'bank login closed for this account', ctx.flow.accountId);
    const bank = enabled().find((b) => b.id === bankId);
    if (!bank) return chooser('unknown_bank');
    const begun = await bank.client.begin();
    if (!begun.ok) return refuse(ctx, begun.failure, bank.id, begun.detail);
    const { url, ...expected } = begun.authorization;
    const returnKey = await deps.returns.open(expected.state, uid, bank.id, ctx.client.clientId);
    const state: RedirectState = { phase: 'redirected', bank: bank.id, returnKey, expected };
    Object.assign(ctx.state, state);
    // The bank's answer counts only in this browser (RFC 9700 §4.7): the web layer binds it here.
    return { kind: 'redirect', url, binding: { callbackPath: BANK_CALLBACK_PATH, state: expected.state, maxAgeSeconds: RETURN_TTL_SECONDS } };
  }

  function reset(ctx: MethodContext): void {
    for (const key of Object.keys(ctx.state)) delete ctx.state[key];
  }

  async function answer(ctx: MethodContext): Promise<Step> {
    const { bank: bankId, returnKey, expected } = ctx.state as unknown as RedirectState;
    reset(ctx); // whatever happens next, this redirect is used up
    const record = await deps.returns.take(returnKey);
    const bank = enabled().find((b) => b.id === bankId && b.id === record?.bank);
    // The answer to this login arrived in another browser (someone else signed in at her bank with a
    // URL this login produced): refused at the callback, and never this interaction's answer.
    if (record?.status === 'refused') return refuse(ctx, 'answer_elsewhere', record.bank, 'the answer arrived in a browser that did not start the login');
    // Back at Kapı without the bank's answer (the back button, a reload): the bank list again; an
    // answer that arrives later finds no record and is refused.
    if (!record || record.status !== 'returned' || !bank) return chooser();
    const outcome = await bank.client.complete(record.query ?? '', expected, bank.nationalIdClaim);
    if (!outcome.ok) return refuse(ctx, outcome.failure, bank.id, outcome.detail);

    const { subject, claims, acr, amr } = outcome.answer;
    const raw = claims[bank.nationalIdClaim];
    if (raw === undefined || raw === null || raw === '') return refuse(ctx, 'id_missing', bank.id, `claim ${bank.nationalIdClaim} missing`);
    // Some banks send the number as a JSON number; eleven digits are exact in a double.
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
    const checked = text !== undefined ? validateNationalId(text) : { ok: false as const, reason: 'format' as const };
    if (!checked.ok) return refuse(ctx, 'id_malformed', bank.id, `claim ${bank.nationalIdClaim}: ${checked.reason}`);

    const subjectHash = hmac(deps.subjectKey, `${bank.id}\u0000${subject}`);
    const found = await accountForBankCustomer(deps, checked.number, bank.id);
    if (!found) return refuse(ctx, 'not_in_registry', bank.id, 'number not in the population registry');
    const { account } = found;
    const linked = await deps.links.accountFor(bank.id, subjectHash);
    if (linked && linked !== account.id) return refuse(ctx, 'subject_mismatch', bank.id, 'bank subject linked to another account', account.id);
    // Nobody is known before the bank answers a first sign-in; a closed bank login is refused here.
    if (!account.bankLoginEnabled) return refuse(ctx, 'blocked', bank.id, 'bank login closed for this account', account.id);

    const linkedNow = await deps.links.record(bank.id, subjectHash, account.id);
    // Which bank proved the person (the sign-in record itself only says `banking`).
    await deps.audit.event({
      type: linkedNow ? 'banking.linked' : 'banking.used',
      accountId: account.id,
      clientId: ctx.client.clientId,
      ip: ctx.ip,
      detail: { bank: bank.id },
    });
    return { kind: 'done', accountId: account.id, amr: bankAmr(amr), upstreamAcr: bankLevel(bank.assurance, acr, amr), account };
  }

  return {
    id: BANKING_METHOD_ID,
    factor: 'first',
    acr: 'substantial',
    amr: ['fed'],
    labelKey: 'method.banking',
    async start(ctx) {
      if (ctx.state.phase === 'redirected') return answer(ctx);
      if (await blockedBeforeRedirect(ctx)) return refuse(ctx, 'blocked', undefined, 'bank login closed for this account', ctx.flow.accountId);
      return chooser();
    },
    /**
     * `bank` and `interaction` come from the bank link route (router.ts), which has checked the
     * flow's CSRF token and takes the interaction uid from the verified interaction, not from input.
     */
    async continue(ctx, input) {
      if (input.bank && input.interaction && constantTimeEqual(input.route ?? '', deps.routeKey)) return redirectTo(ctx, input.bank, input.interaction);
      if (ctx.state.phase === 'redirected') return answer(ctx);
      return chooser();
    },
  };
}
