import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** What Kapı does once oidc-provider has answered a request; a promise only when it has work to do. */
export type AfterRoute = (ctx: KoaContextWithOIDC) => Promise<void> | undefined;

/**
 * Kapı's steps after oidc-provider's routes (a storage outage answered as 503, a failed rotation taken
 * back, sign-ins and logouts recorded, the 404 page) in one provider middleware instead of one each.
 * Every request to oidc-provider went through five `async (ctx, next) => { await next(); ... }` layers,
 * each a promise more (and oidc-provider's AsyncLocalStorage follows every promise): most requests
 * concern none of them, so a step that has nothing to do returns at once without a promise (issue 27).
 *
 * The order is that of the nested middlewares it replaces: the step added first runs last.
 */
export class AfterRoutes {
  readonly #steps: AfterRoute[] = [];

  constructor(provider: Provider) {
    const steps = this.#steps;
    provider.use(async (ctx, next) => {
      await next();
      for (const step of steps) {
        const pending = step(ctx as KoaContextWithOIDC);
        if (pending) await pending;
      }
    });
  }

  add(step: AfterRoute): void {
    this.#steps.unshift(step);
  }
}
