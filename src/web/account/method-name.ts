import type { MethodTraitBook } from '../../engine/traits.js';
import { translate, type Locale } from '../../i18n/index.js';
import './pages/history/messages.js';

/**
 * A method id's name in the person's language, from its module's traits; an id no module declares (a
 * method not installed in this deployment) is shown as is. 'session' is the engine's pseudo-method
 * of a sign-in an existing session satisfied.
 */
export function methodName(locale: Locale, traits: MethodTraitBook, id: string): string {
  if (id === 'session') return translate(locale, 'history.method.session');
  const label = traits.labelOf(id);
  return label ? translate(locale, label) : id;
}
