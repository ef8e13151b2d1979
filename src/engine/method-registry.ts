import type { Method } from './types.js';

/** The methods this Kapı offers, in chooser order. Other issues add methods here without touching the engine. */
export class MethodRegistry {
  readonly #methods = new Map<string, Method>();

  add(method: Method): this {
    if (this.#methods.has(method.id)) throw new Error(`method ${method.id} registered twice`);
    this.#methods.set(method.id, method);
    return this;
  }

  get(id: string): Method | undefined {
    return this.#methods.get(id);
  }

  all(): Method[] {
    return [...this.#methods.values()];
  }
}
