import { type Acr, isAcr, maxAcr, minAcr } from './levels.js';

export interface LevelRequest {
  /** The `acr_values` authorization parameter (space separated), if any. */
  acrValues?: string | undefined;
  /** `claims.id_token.acr` of the claims parameter, if any. */
  acrClaim?: { essential?: boolean; value?: unknown; values?: unknown } | undefined;
  /** The institution's own minimum. */
  clientMinimum?: Acr | undefined;
}

/**
 * The level a login must reach: the higher of the institution's minimum and the lowest level the
 * request asks for (any of the values satisfies the request, so the lowest is enough). Unknown values
 * are ignored; a request made only of unknown values asks for nothing.
 */
export function requiredLevel(request: LevelRequest): Acr | undefined {
  const asked: Acr[] = [];
  for (const v of (request.acrValues ?? '').split(' ')) if (isAcr(v)) asked.push(v);
  const claim = request.acrClaim;
  if (claim) {
    const values = Array.isArray(claim.values) ? claim.values : claim.value !== undefined ? [claim.value] : [];
    const known = values.filter(isAcr);
    // A claim request narrows acr_values when both are present: the claim is the more specific ask.
    if (known.length) asked.splice(0, asked.length, ...known);
  }
  return maxAcr(request.clientMinimum, minAcr(asked));
}
