import type { KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import { atLeast, isAcr, type Acr } from '../assurance/levels.js';
import { requiredLevel } from '../assurance/required-level.js';
import { consentWithinRegistration } from './consent-check.js';

const { Check, base } = interactionPolicy;

/** Idle (sliding) and absolute session lifetimes per level: stronger sessions live shorter. */
export const SESSION_LIFETIMES: Record<Acr, { idle: number; absolute: number }> = {
  low: { idle: 60 * 60, absolute: 12 * 60 * 60 },
  substantial: { idle: 30 * 60, absolute: 8 * 60 * 60 },
  high: { idle: 15 * 60, absolute: 4 * 60 * 60 },
};

export function clientMinimumAcr(ctx: KoaContextWithOIDC): Acr | undefined {
  const min = ctx.oidc.client?.['min_acr' as never] as unknown;
  return isAcr(min) ? min : undefined;
}

/** The level this authorization request needs (institution minimum, acr_values, essential acr claim). */
export function requestedLevel(ctx: KoaContextWithOIDC): Acr | undefined {
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  const acrClaim = (ctx.oidc.claims as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } } | undefined)?.id_token?.acr;
  return requiredLevel({
    acrValues: typeof params?.acr_values === 'string' ? params.acr_values : undefined,
    // A voluntary acr claim is a wish, not a requirement: only essential ones raise the bar.
    acrClaim: acrClaim?.essential ? acrClaim : undefined,
    clientMinimum: clientMinimumAcr(ctx),
  });
}

export interface PolicyDeps {
  /** The session index's verdict on a session (src/sessions/session-index.ts): ended, or another person's row. */
  sessionEnded?: (uid: string, accountId: string) => Promise<boolean>;
}

/**
 * The interaction policy: oidc-provider's base prompts with its exact-string acr checks replaced by
 * level-ordered ones. A session below the level asked for is sent back to login (step-up); with
 * prompt=none that answers login_required. A session the index has ended is never used, whatever the
 * session store still holds (issue 25): it too answers login_required, and a new sign-in starts afresh.
 * Consent asks only about claims within the registration.
 */
export function kapiInteractionPolicy(deps: PolicyDeps = {}) {
  const policy = base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider base policy has no login prompt');
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');

  login.checks.add(
    new Check(
      'acr_level',
      'the session does not reach the level of assurance asked for',
      'login_required',
      (ctx: KoaContextWithOIDC) => {
        if (!ctx.oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
        const reached = ctx.oidc.acr as Acr | undefined;
        return atLeast(reached, requestedLevel(ctx)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
      (ctx: KoaContextWithOIDC) => ({ required_acr: requestedLevel(ctx) }),
    ),
  );

  login.checks.add(
    new Check('session_lifetime', 'the session is older than its level allows', 'login_required', (ctx: KoaContextWithOIDC) => {
      const session = ctx.oidc.session;
      if (!session?.accountId || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const level = isAcr(session.acr) ? session.acr : 'low';
      const loginTs = (session as unknown as { loginTs?: number }).loginTs ?? 0;
      return Date.now() / 1000 - loginTs > SESSION_LIFETIMES[level].absolute ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );

  const { sessionEnded } = deps;
  if (sessionEnded) {
    login.checks.add(
      new Check('session_ended', 'the session has ended', 'login_required', async (ctx: KoaContextWithOIDC) => {
        const session = ctx.oidc.session;
        // A login just completed in this request is recorded in the index after it (src/sessions/record-sign-in.ts).
        if (!session?.accountId || !session.uid || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
        return (await sessionEnded(session.uid, session.accountId)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      }),
    );
  }
  consentWithinRegistration(policy);
  return policy;
}
