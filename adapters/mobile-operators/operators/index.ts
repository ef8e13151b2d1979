import type { OperatorProfile } from '../etsi-client.js';
import type { OperatorDefaults } from './defaults.js';
import { turkcell, turkcellDefaults } from './turkcell.js';
import { turkTelekom, turkTelekomDefaults } from './turk-telekom.js';
import { vodafone, vodafoneDefaults } from './vodafone.js';

/** The operators Kapı has an adapter for. A fourth operator is one more file and one more line here. */
export const KNOWN_OPERATORS: Record<string, { profile: OperatorProfile; defaults: OperatorDefaults }> = {
  turkcell: { profile: turkcell, defaults: turkcellDefaults },
  vodafone: { profile: vodafone, defaults: vodafoneDefaults },
  'turk-telekom': { profile: turkTelekom, defaults: turkTelekomDefaults },
};
