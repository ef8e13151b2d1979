import type { MethodModule } from '../src/engine/module.js';
import { policiesFor } from '../src/engine/policies.js';
import { MethodTraitBook } from '../src/engine/traits.js';
import { bankingModule } from './banking/index.js';
import { mobileSignatureModule } from './mobile-signature/index.js';
import { passkeyModule } from './passkey/index.js';
import { passwordModule } from './password/index.js';
import { secondFactorModule } from './second-factor/index.js';
import { smartCardModule } from './smart-card/index.js';

/**
 * Kapı's sign-in methods, one module a line, in chooser order (issue 21 point 1). The composition
 * root (src/app.ts) wires them in this order, the migrations run theirs after the core's
 * (migrations/index.ts), and the traits below answer every "which methods prove ..." question.
 */
export const METHOD_MODULES: readonly MethodModule[] = [
  passwordModule,
  smartCardModule,
  bankingModule,
  mobileSignatureModule,
  passkeyModule,
  secondFactorModule,
];

/** What every method proves, configured or not. */
export const METHOD_TRAITS = new MethodTraitBook(METHOD_MODULES.flatMap((m) => m.traits));

/** The engine's policies for these methods. */
export const POLICIES = policiesFor(METHOD_TRAITS);
