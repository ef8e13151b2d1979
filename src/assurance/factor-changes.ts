import { atLeast, isAcr, type Acr } from './levels.js';

/**
 * Who may add or remove a second factor (an e-Government Key, a phone that confirms sign-ins, a
 * registered device, a passkey): DESIGN.md, third round, "Factors", and issue 19 point 4. A factor is
 * added only where it could be removed, so a stolen password alone can neither add a factor that then
 * locks the owner out, nor remove the one that stops it:
 * - adding or removing needs a sign-in under five minutes old at `substantial` or higher;
 * - a `high` sign-in (e-signature, mobile signature, ID card) may always remove one, whatever its age;
 * - an office issuance in person or to a guardian removes them on request (src/registrar/service.ts).
 */
export const FACTOR_FRESH_SECONDS = 300;
export const FACTOR_LEVEL: Acr = 'substantial';

export interface SignInFacts {
  acr: string | undefined;
  /** Epoch seconds of the sign-in. */
  authTime: number | undefined;
}

function fresh(signIn: SignInFacts, nowSeconds: number): boolean {
  return signIn.authTime !== undefined && nowSeconds - signIn.authTime <= FACTOR_FRESH_SECONDS;
}

export function mayAddFactor(signIn: SignInFacts, nowSeconds = Date.now() / 1000): boolean {
  return isAcr(signIn.acr) && atLeast(signIn.acr, FACTOR_LEVEL) && fresh(signIn, nowSeconds);
}

export function mayRemoveFactor(signIn: SignInFacts, nowSeconds = Date.now() / 1000): boolean {
  return (isAcr(signIn.acr) && atLeast(signIn.acr, 'high')) || mayAddFactor(signIn, nowSeconds);
}
