import { translate, type Locale } from '../../../../i18n/index.js';
import './messages.js';

/**
 * A method id's name in the person's language, from the method's own messages; an id without a name
 * (a method not installed in this deployment) is shown as is. 'session' is the engine's pseudo-method
 * of a sign-in an existing session satisfied.
 */
export function methodName(locale: Locale, id: string): string {
  if (id === 'session') return translate(locale, 'history.method.session');
  const key = `method.${id}`;
  const name = translate(locale, key);
  return name === key ? id : name;
}
