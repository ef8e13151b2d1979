import type { KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import { registeredClaims, TECHNICAL_CLAIMS } from './claims.js';

const { Check } = interactionPolicy;
type Policy = ReturnType<typeof interactionPolicy.base>;

const MISSING = Symbol('claims within the registration not granted yet');

/**
 * Where consent is decided, claims outside the institution's registration do not exist (DESIGN.md
 * "Releasable claims"). oidc-provider's `op_claims_missing` asks the person about every claim the
 * claims parameter names; this replacement asks only about claims of the registered scopes. So the
 * consent page never lists the others, the grant (and the remembered consent) never gets them, and a
 * request for nothing but such claims brings no consent page at all.
 */
export function consentWithinRegistration(policy: Policy): void {
  const consent = policy.get('consent');
  if (!consent) throw new Error('oidc-provider base policy has no consent prompt');
  const index = consent.checks.findIndex((check) => check.reason === 'op_claims_missing');
  if (index === -1) throw new Error('oidc-provider consent prompt has no op_claims_missing check');
  consent.checks.remove('op_claims_missing');
  consent.checks.add(
    new Check(
      'op_claims_missing',
      'requested claims not granted',
      (ctx: KoaContextWithOIDC) => {
        const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] & { [MISSING]?: string[] };
        const registered = registeredClaims(oidc.client as unknown as { scope?: string } | undefined);
        const encountered = new Set(oidc.grant!.getOIDCClaimsEncountered());
        const missing = [...oidc.requestParamClaims!].filter((claim) => registered.has(claim) && !TECHNICAL_CLAIMS.has(claim) && !encountered.has(claim));
        oidc[MISSING] = missing;
        return missing.length ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      },
      (ctx: KoaContextWithOIDC) => ({ missingOIDCClaims: (ctx.oidc as { [MISSING]?: string[] })[MISSING] }),
    ),
    index,
  );
}
