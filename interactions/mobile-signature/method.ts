import type { IpLocator } from '../../adapters/geoip/port.js';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import { canonicalSubscriber } from '../../adapters/mobile-operators/etsi-client.js';
import { OperatorUnavailable, type MobileOperator } from '../../adapters/mobile-operators/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import type { MessageKey } from '../../src/i18n/index.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import { log } from '../../src/log.js';
import { ipBucket } from '../../src/security/guess-limiter.js';
import { giveBackAll, takeAll, type Counter } from '../../src/security/limiters.js';
import { hmac } from '../../src/security/crypto.js';
import { accountFromRegistry } from '../../src/accounts/account-from-registry.js';
import { advance, QUERY_INTERVAL_MS, type AdvanceDeps } from './advance.js';
import { signingText } from './signing-text.js';
import { FAILURE_MESSAGE } from './messages.js';
import { MobileSignatureTransactions, type MobileSignatureFailure, type MobileSignatureTransaction } from './transactions.js';

export const METHOD_ID = 'mobile-signature';
const IDENTIFY_VIEW = '/interactions/mobile-signature/views/identify';
const WAITING_VIEW = '/interactions/mobile-signature/views/waiting';
const AMR = ['hwk', 'mca', 'pin'];

export interface MobileSignatureMethodDeps extends AdvanceDeps {
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  /** Enabled operators, in the order the form lists them. */
  operatorList: readonly MobileOperator[];
  /** Seconds the phone waits for the person (the TimeOut sent to the MSSP), per operator. */
  timeoutSeconds: (operator: string) => number;
  /** The operator's limit on the text its phones show (undefined: the default). */
  displayLimit: (operator: string) => number | undefined;
  /** Where the sign-in began, named on the phone so that a relayed request looks wrong. */
  locator: IpLocator;
  /**
   * Every start costs a point for the (identity number, GSM number) pair (`person`) and for the IP;
   * every request that reaches an operator (a paid request, a prompt on someone's phone) costs a point
   * of the GSM number's hourly budget (`phone`) and of the global hourly budget (`all`).
   */
  limiters: { person: Counter; ip: Counter; phone: Counter; all: Counter };
  limiterKey: Buffer;
  onOutcome?: (operator: string, outcome: string) => void;
}

/**
 * Mobile signature: national ID, GSM number and operator; the operator's MSSP asks the person's SIM to
 * sign a short text whose verification code the page shows too; the waiting page's polls move the
 * transaction on (./advance.ts); Kapı verifies the returned CMS signature and certificate itself.
 * Reaches acr `high` (amr hwk, mca, pin).
 */
export function mobileSignatureMethod(deps: MobileSignatureMethodDeps): Method {
  /**
   * The operators as every process sees them (issue 20 point 3): one whose breaker is open is shown as
   * unavailable before anyone types a number; rendering the form makes the probe when one is due.
   */
  const operatorChoices = () =>
    Promise.all(deps.operatorList.map(async (o) => ({ id: o.id, labelKey: o.labelKey, available: (await o.checkHealth()).state !== 'down' })));

  const identify = async (extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Promise<Step> => ({
    kind: 'prompt',
    view: IDENTIFY_VIEW,
    ...extra,
    data: { operators: await operatorChoices(), ...extra.data },
  });

  const waiting = (tx: MobileSignatureTransaction): Step => ({
    kind: 'wait',
    view: WAITING_VIEW,
    pollSeconds: QUERY_INTERVAL_MS / 1000,
    data: {
      code: tx.code,
      summary: tx.dataToBeDisplayed,
      expiresAt: tx.exp,
      operatorLabel: deps.operators.get(tx.operator)?.labelKey ?? tx.operator,
      phone: maskedPhone(tx.subscriber),
    },
  });

  async function failed(ctx: MethodContext, reason: MobileSignatureFailure, operator: string, form: Record<string, string>, status = 400): Promise<Step> {
    deps.onOutcome?.(operator, reason);
    await deps.audit.signIn({ clientId: ctx.client.clientId, method: METHOD_ID, result: reason, ip: ctx.ip, userAgent: ctx.userAgent });
    return identify({ status, error: { code: FAILURE_MESSAGE[reason] }, data: form });
  }

  async function progress(ctx: MethodContext): Promise<Step> {
    const id = String(ctx.state.transaction ?? '');
    const found = id ? await advance(deps, id) : undefined;
    if (!found) {
      delete ctx.state.transaction;
      return identify({ status: 410, error: { code: 'mobile_signature.transaction_expired' } });
    }
    const { tx } = found;
    if (tx.status === 'pending') return waiting(tx);
    await deps.transactions.close(id); // single use, whatever the outcome
    delete ctx.state.transaction;
    const form = { nationalId: tx.nationalId, phone: `0${tx.subscriber}`, operator: tx.operator };
    if (tx.status === 'failed') return failed(ctx, tx.reason ?? 'operator_error', tx.operator, form, tx.reason === 'operator_unavailable' ? 503 : 400);
    const account = await accountFromRegistry(deps, tx.nationalId, 'mobile-signature');
    if (!account) return failed(ctx, 'not_in_registry', tx.operator, form, 403);
    deps.onOutcome?.(tx.operator, 'signed_in');
    return { kind: 'done', accountId: account.id, amr: AMR, account };
  }

  /**
   * Every start takes its points before the operator is asked. Strangers count per (identity number,
   * GSM number) pair, so made-up GSM numbers typed with her identity number never block her own phone,
   * and per IP; a browser that signed in as the person before (device cookie) has its own allowance.
   * Answers the wait when refused, or the points to give back if the operator is not asked after all.
   */
  async function startPoints(
    ctx: MethodContext,
    nationalId: string,
    subscriber: string,
    device: string | undefined,
  ): Promise<{ wait: number } | { steps: Array<readonly [Counter, string]> }> {
    const pair = `pair:${hmac(deps.limiterKey, `${nationalId}:${subscriber}`)}`;
    const steps: Array<readonly [Counter, string]> = device
      ? [[deps.limiters.person, `${pair}:browser:${device}`]]
      : [
          [deps.limiters.person, pair],
          [deps.limiters.ip, `ip:${hmac(deps.limiterKey, ipBucket(ctx.ip))}`],
        ];
    // A store that fails throws storage_unavailable: a 503, not a silent pass.
    const taken = await takeAll(steps);
    return taken.allowed ? { steps } : { wait: taken.take.retryAfterSeconds };
  }

  /**
   * The costs to someone else (issue 25): a request reaches an operator only within the GSM number's
   * hourly budget and the global one. Strangers only: the person's own browser is bounded by its own
   * start allowance and never waits on strangers' budgets.
   */
  async function operatorBudget(subscriber: string, device: string | undefined): Promise<{ code: MessageKey; seconds: number } | undefined> {
    if (device) return undefined;
    const taken = await takeAll([
      [deps.limiters.phone, `msisdn:${hmac(deps.limiterKey, subscriber)}`],
      [deps.limiters.all, 'all'],
    ]);
    if (taken.allowed) return undefined;
    return { code: taken.refusedBy === 0 ? 'mobile_signature.too_many_to_phone' : 'mobile_signature.busy', seconds: taken.take.retryAfterSeconds };
  }

  /**
   * The operator is asked only about numbers the population registry knows (an account already made
   * from it counts). While the registry cannot be reached the check is skipped: the budgets above still
   * bound what strangers can cost (DESIGN.md, third round).
   */
  async function knownPerson(nationalId: string): Promise<boolean> {
    if (await deps.accounts.findByNationalId(nationalId)) return true;
    try {
      const person = await deps.registry.lookup(nationalId);
      return Boolean(person?.alive);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'population registry unreachable: mobile-signature start goes on without the registry check');
      return true;
    }
  }

  async function begin(ctx: MethodContext, input: Record<string, string>): Promise<Step> {
    const typedId = (input.national_id ?? '').replace(/\s+/g, '');
    const typedPhone = (input.phone ?? '').slice(0, 32);
    const operatorId = input.operator ?? '';
    const form = { nationalId: typedId.slice(0, 11), phone: typedPhone, operator: operatorId };
    const id = validateNationalId(typedId);
    if (!id.ok) return identify({ status: 400, error: { code: 'invalid_identity_number', field: 'national_id' }, data: form });
    const subscriber = canonicalSubscriber(typedPhone);
    if (!subscriber) return identify({ status: 400, error: { code: 'mobile_signature.invalid_phone', field: 'phone' }, data: form });
    const operator = deps.operatorList.find((o) => o.id === operatorId);
    if (!operator) return identify({ status: 400, error: { code: 'mobile_signature.choose_operator', field: 'operator' }, data: form });

    const device = ctx.deviceFor(id.number);
    const start = await startPoints(ctx, id.number, subscriber, device);
    if ('wait' in start) return identify({ status: 429, error: { code: 'mobile_signature.too_many_attempts', params: { seconds: start.wait } }, data: form });
    if (!(await knownPerson(id.number))) {
      // The same answer as an operator's "no mobile signature for this number": the form is not a
      // registry oracle (the page cannot tell which of the two numbers was not found).
      await deps.audit.signIn({ clientId: ctx.client.clientId, method: METHOD_ID, result: 'not_in_registry', ip: ctx.ip, userAgent: ctx.userAgent });
      return identify({ status: 400, error: { code: 'mobile_signature.no_mobile_signature' }, data: form });
    }
    const over = await operatorBudget(subscriber, device);
    if (over) {
      await giveBackAll(start.steps); // the operator was not asked: the start costs nothing
      await deps.audit.signIn({ clientId: ctx.client.clientId, method: METHOD_ID, result: 'budget_spent', ip: ctx.ip, userAgent: ctx.userAgent });
      return identify({ status: 429, error: { code: over.code, params: { minutes: Math.ceil(over.seconds / 60) } }, data: form });
    }

    const now = new Date();
    const transactionId = MobileSignatureTransactions.newId();
    const text = signingText({
      transactionId,
      clientName: ctx.client.name,
      locale: ctx.flow.locale,
      at: now,
      place: deps.locator.locate(ctx.ip),
      displayLimit: deps.displayLimit(operator.id),
    });
    const timeoutSeconds = deps.timeoutSeconds(operator.id);
    let started;
    try {
      started = await operator.requestSignature({ subscriber, dataToBeSigned: text.dataToBeSigned, dataToBeDisplayed: text.dataToBeDisplayed, timeoutSeconds });
    } catch (err) {
      if (!(err instanceof OperatorUnavailable)) throw err;
      log.warn({ operator: operator.id, err: err.message }, 'mobile-signature request failed');
      return failed(ctx, 'operator_unavailable', operator.id, form, 503);
    }
    if (!started.ok) {
      if (started.failure === 'operator_rejected')
        log.error({ operator: operator.id, statusCode: started.statusCode }, 'operator refused the signature request: check the operator configuration');
      return failed(ctx, started.failure, operator.id, form);
    }
    const iat = Math.floor(now.getTime() / 1000);
    const tx: MobileSignatureTransaction = {
      id: transactionId,
      operator: operator.id,
      subscriber,
      nationalId: id.number,
      clientId: ctx.client.clientId,
      dataToBeSigned: text.dataToBeSigned,
      dataToBeDisplayed: text.dataToBeDisplayed,
      code: text.code,
      msspTransId: started.msspTransId,
      iat,
      exp: iat + timeoutSeconds + 10,
      nextQueryAt: now.getTime() + QUERY_INTERVAL_MS,
      queries: 0,
      status: 'pending',
    };
    await deps.transactions.create(tx);
    ctx.state.transaction = tx.id;
    return waiting(tx);
  }

  return {
    id: METHOD_ID,
    factor: 'first',
    acr: 'high',
    amr: AMR,
    labelKey: 'method.mobile-signature',
    async start(ctx) {
      return ctx.state.transaction ? progress(ctx) : identify();
    },
    async continue(ctx, input) {
      if (input.action === 'cancel' || input.action === 'choose') {
        // TS 102 204 has no way for the AP to withdraw a request: Kapı forgets the transaction, so a
        // signature made afterwards is never used. The method is left (the flow no longer names it),
        // so the chooser is shown; relative to .../method/mobile-signature/continue.
        if (ctx.state.transaction) {
          await deps.transactions.close(String(ctx.state.transaction));
          deps.onOutcome?.('-', 'cancelled_on_screen');
        }
        delete ctx.flow.current;
        return { kind: 'redirect', url: '../../?choose=1' };
      }
      if (ctx.state.transaction) return progress(ctx);
      return begin(ctx, input);
    },
    async poll(ctx) {
      const id = String(ctx.state.transaction ?? '');
      const found = id ? await advance(deps, id) : undefined;
      return found?.tx.status === 'pending' ? 'pending' : 'ready';
    },
  };
}

/** "0530 *** ** 01": enough to recognise one's own number, not enough to read it off the screen. */
function maskedPhone(subscriber: string): string {
  return `0${subscriber.slice(0, 3)} *** ** ${subscriber.slice(-2)}`;
}
