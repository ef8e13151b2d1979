import type { IpLocator } from '../../adapters/geoip/port.js';
import type { PopulationRegistry } from '../../adapters/population-registry/port.js';
import type { AccountStore, AuditTrail } from '../../src/engine/ports.js';
import type { Method, MethodContext, Step } from '../../src/engine/types.js';
import { validateNationalId } from '../../src/identity/national-id.js';
import { log } from '../../src/log.js';
import { hmac } from '../../src/security/crypto.js';
import { accountFromRegistry } from '../../src/accounts/account-from-registry.js';
import { displayCode, type SmartCardProfile, type SmartCardTransactions } from './transactions.js';
import { failureMessage, PROFILE_TEXT } from './messages.js';

const IDENTIFY_VIEW = '/interactions/smart-card/views/identify';
const WAITING_VIEW = '/interactions/smart-card/views/waiting';
const POLL_SECONDS = 2;

export interface SmartCardMethodDeps {
  transactions: SmartCardTransactions;
  accounts: AccountStore;
  registry: PopulationRegistry;
  audit: AuditTrail;
  /** The issuer URL the signer is pointed at (shown on the waiting page). */
  issuer: string;
  /** The place of the browser's address, which the signer shows with the time and the institution. */
  locator: IpLocator;
  /** Key of the identity-number hash in logs and failed sign-in records. */
  subjectKey: Buffer;
}

/**
 * e-signature and ID card: the person types their identity number, runs `kapi-signer` with the code
 * shown, and the card signs Kapı's challenge. The signer's post is verified and written to the
 * transaction record (interactions/smart-card/signer-api.ts); the waiting page's own request merges
 * the result into the flow here. Both reach acr `high` (amr hwk, sc, pin).
 */
export function smartCardMethod(profile: SmartCardProfile, deps: SmartCardMethodDeps): Method {
  const identify = (extra: Partial<Extract<Step, { kind: 'prompt' }>> = {}): Step => ({
    kind: 'prompt',
    view: IDENTIFY_VIEW,
    ...extra,
    data: { titleKey: PROFILE_TEXT[profile].title, leadKey: PROFILE_TEXT[profile].lead, ...extra.data },
  });

  const reset = (ctx: MethodContext) => {
    delete ctx.state.phase;
    delete ctx.state.code;
  };

  async function progress(ctx: MethodContext): Promise<Step> {
    const code = String(ctx.state.code ?? '');
    const found = code ? await deps.transactions.find(code) : undefined;
    const now = Math.floor(Date.now() / 1000);
    if (!found || (found.tx.status === 'pending' && now > found.tx.exp)) {
      reset(ctx);
      if (found) await deps.transactions.close(code);
      return identify({ status: 410, error: { code: 'smart_card.transaction_expired' } });
    }
    const { tx } = found;
    if (tx.status === 'pending' || tx.status === 'verifying') {
      return {
        kind: 'wait',
        view: WAITING_VIEW,
        pollSeconds: POLL_SECONDS,
        data: { titleKey: PROFILE_TEXT[profile].title, code: displayCode(tx.code), expiresAt: tx.exp, server: deps.issuer },
      };
    }
    await deps.transactions.close(code); // single use, whatever the outcome
    reset(ctx);
    if (tx.status === 'failed') {
      // The refusal itself was logged where it happened (signer-api.ts); this is the sign-in record.
      await deps.audit.signIn({
        subjectHash: hmac(deps.subjectKey, tx.nationalId),
        clientId: ctx.client.clientId,
        method: profile,
        result: tx.reason ?? 'failed',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      return identify({ status: 400, error: { code: failureMessage(profile, tx.reason ?? 'failed') }, data: { nationalId: tx.nationalId } });
    }
    const account = await accountFromRegistry(deps, tx.nationalId, profile);
    if (!account) {
      log.warn({ method: profile, reason: 'not_in_registry', subjectHash: hmac(deps.subjectKey, tx.nationalId) }, 'smart-card sign-in refused');
      await deps.audit.signIn({
        subjectHash: hmac(deps.subjectKey, tx.nationalId),
        clientId: ctx.client.clientId,
        method: profile,
        result: 'not_in_registry',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      return identify({ status: 403, error: { code: 'smart_card.not_in_registry' } });
    }
    return { kind: 'done', accountId: account.id, amr: ['hwk', 'sc', 'pin'], account };
  }

  return {
    id: profile,
    factor: 'first',
    acr: 'high',
    amr: ['hwk', 'sc', 'pin'],
    labelKey: PROFILE_TEXT[profile].label,
    async start(ctx) {
      return ctx.state.phase === 'waiting' ? progress(ctx) : identify();
    },
    async continue(ctx, input) {
      if (ctx.state.phase === 'waiting') {
        if (input.action === 'cancel') {
          await deps.transactions.close(String(ctx.state.code ?? ''));
          reset(ctx);
          return identify();
        }
        return progress(ctx);
      }
      const id = validateNationalId((input.national_id ?? '').replace(/\s+/g, ''));
      if (!id.ok)
        return identify({
          status: 400,
          error: { code: 'invalid_identity_number', field: 'national_id' },
          data: { nationalId: (input.national_id ?? '').slice(0, 11) },
        });
      const tx = await deps.transactions.open(profile, id.number, ctx.client.name, { place: deps.locator.locate(ctx.ip) });
      ctx.state.phase = 'waiting';
      ctx.state.code = tx.code;
      return progress(ctx);
    },
    async poll(ctx) {
      const code = String(ctx.state.code ?? '');
      const found = code ? await deps.transactions.find(code) : undefined;
      if (!found) return 'ready';
      const pending = found.tx.status === 'pending' || found.tx.status === 'verifying';
      return pending && Math.floor(Date.now() / 1000) <= found.tx.exp ? 'pending' : 'ready';
    },
  };
}
