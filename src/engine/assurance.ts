import { type Acr, maxAcr, rank } from '../assurance/levels.js';
import type { CompletedMethod } from './types.js';

/**
 * The level reached by what was completed. It is always computed, never stored by hand: the best first
 * factor, raised to `substantial` by a second factor when the first alone was `low`.
 */
export function reachedLevel(completed: readonly CompletedMethod[]): Acr | undefined {
  const first = maxAcr(...completed.filter((c) => c.factor === 'first').map((c) => c.acr));
  if (first === undefined) return undefined;
  const second = maxAcr(...completed.filter((c) => c.factor === 'second').map((c) => c.acr));
  if (second === undefined) return first;
  return rank(second) > rank(first) ? second : first;
}

/** The union of amr values, in the order they were earned, without duplicates. */
export function collectedAmr(completed: readonly CompletedMethod[]): string[] {
  return [...new Set(completed.flatMap((c) => c.amr))];
}

/** The level a method would bring this flow to if it were completed next. */
export function levelWith(
  completed: readonly CompletedMethod[],
  method: { id: string; factor: 'first' | 'second'; acr: Acr; amr: readonly string[] },
): Acr | undefined {
  return reachedLevel([...completed, { method: method.id, factor: method.factor, acr: method.acr, amr: [...method.amr], at: 0 }]);
}
