import { atLeast, maxAcr } from '../../assurance/levels.js';
import type { Flow, Method } from '../../engine/types.js';
import { translate, type Locale } from '../../i18n/index.js';

/**
 * The other ways in, named where a step is closed or unavailable ("this step is locked for 15 minutes;
 * you can sign in with ..."), generated from the methods Kapı runs rather than written in a message
 * (issue 20 point 6): first-stage methods, other than this one and those already done, that reach on
 * their own the level this step was for. For a second stage that is the level asked for, at least the
 * level the second stage would have given (a password alone never replaces it); online banking is
 * named wherever it reaches that level, and a method that is not configured is never named.
 * As a disjunction in the person's language ("e-İmza, T.C. Kimlik Kartı veya Mobil İmza").
 */
export function alternativesFor(methods: readonly Method[], flow: Flow, current: Method, locale: Locale): string {
  const done = new Set(flow.completed.map((c) => c.method));
  const level = current.factor === 'second' ? maxAcr(flow.requiredAcr, current.acr) : flow.requiredAcr;
  const names = methods
    .filter((m) => m.factor === 'first' && m.id !== current.id && !done.has(m.id) && atLeast(m.acr, level))
    .map((m) => translate(locale, m.labelKey));
  return names.length ? new Intl.ListFormat(locale, { type: 'disjunction' }).format(names) : translate(locale, 'alternatives.another_method');
}
