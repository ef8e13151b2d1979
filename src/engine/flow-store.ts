import type { Acr } from '../assurance/levels.js';
import { isAcr } from '../assurance/levels.js';
import { randomToken } from '../security/crypto.js';
import type { Flow } from './types.js';

// The language is the flow's own type: the engine imports nothing from the web layer.
type Locale = Flow['locale'];

/** The slice of oidc-provider's Interaction the engine uses. */
export interface InteractionLike {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId: string; acr?: string; amr?: string[]; uid?: string } | undefined;
  result?: Record<string, unknown> | undefined;
  grantId?: string | undefined;
  persist(): Promise<unknown>;
}

/** Login-prompt reasons under which the existing session still proves who the person is. */
const STEP_UP_REASONS = new Set(['acr_level', 'essential_acr', 'essential_acrs']);

/**
 * The Flow lives inside the Interaction's `result` (DESIGN.md "Flow"), so it shares the interaction's
 * TTL and cookie binding. A session that already exists (a step-up) seeds the flow with what it proved.
 */
export function loadFlow(interaction: InteractionLike, locale: Locale, requiredAcr: Acr | undefined): Flow {
  const existing = interaction.result?.kapi as Flow | undefined;
  if (existing) {
    existing.locale = locale;
    return existing;
  }
  const flow: Flow = { csrf: randomToken(24), locale, requiredAcr, completed: [] };
  const session = interaction.session;
  // The session counts only for a step-up (the level is too low). prompt=login, an exceeded max_age or
  // session lifetime, or an id_token_hint for someone else ask for a new authentication: nothing of
  // the session may satisfy it.
  const reasons = interaction.prompt.name === 'login' ? interaction.prompt.reasons : [];
  const stepUpOnly = reasons.every((reason) => STEP_UP_REASONS.has(reason));
  if (session?.accountId && isAcr(session.acr) && stepUpOnly) {
    flow.accountId = session.accountId;
    flow.completed.push({ method: 'session', factor: 'first', at: Math.floor(Date.now() / 1000), amr: session.amr ?? [], acr: session.acr });
  }
  return flow;
}

/** The results oidc-provider's resume acts on; Kapı's own `result.kapi` (the flow) is not one of them. */
const FINISHING_RESULTS = ['login', 'consent', 'error'] as const;

/**
 * An interaction is finished once interactionFinished wrote a result that resume acts on: the sign-in
 * is over and only resume is left. The short-lived stores never write a finished interaction back
 * unfinished (adapters/storage/oidc-common.ts), and its pages send the browser on to resume
 * (src/web/interactions/routes.ts): two posts of one page sent at once (a double click, a replayed
 * passkey answer) both load the interaction before either saves, and the one refused quickly would
 * otherwise save its copy over the login of the one that passed, or strand the browser on a dead page.
 */
export function isFinishedInteraction(interaction: object): boolean {
  // `object`: an oidc-provider Interaction, or its stored payload (which declares no `result`).
  const { result } = interaction as { result?: unknown };
  return typeof result === 'object' && result !== null && FINISHING_RESULTS.some((key) => key in result);
}

export async function saveFlow(interaction: InteractionLike, flow: Flow): Promise<void> {
  interaction.result = { ...(interaction.result ?? {}), kapi: flow };
  await interaction.persist();
}
