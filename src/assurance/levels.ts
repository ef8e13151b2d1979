// Assurance levels (eIDAS names, as national gateways use them). They are ordered:
// low < substantial < high. oidc-provider compares acr values as plain strings; Kapı compares levels.
export const ACR_LEVELS = ['low', 'substantial', 'high'] as const;
export type Acr = (typeof ACR_LEVELS)[number];

export function isAcr(value: unknown): value is Acr {
  return typeof value === 'string' && (ACR_LEVELS as readonly string[]).includes(value);
}

export function rank(acr: Acr | undefined): number {
  return acr === undefined ? -1 : ACR_LEVELS.indexOf(acr);
}

export function atLeast(reached: Acr | undefined, required: Acr | undefined): boolean {
  return required === undefined || rank(reached) >= rank(required);
}

export function maxAcr(...values: (Acr | undefined)[]): Acr | undefined {
  return values.reduce<Acr | undefined>((best, v) => (rank(v) > rank(best) ? v : best), undefined);
}

export function minAcr(values: Acr[]): Acr | undefined {
  return values.reduce<Acr | undefined>((low, v) => (low === undefined || rank(v) < rank(low) ? v : low), undefined);
}
