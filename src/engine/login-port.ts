import type { Context } from 'koa';
import type { Account } from '../accounts/account.js';
import type { InteractionLike } from './flow-store.js';
import type { ClientView, Flow } from './types.js';

/** One request of a sign-in: the browser's request, its interaction and the flow inside it. */
export interface LoginRequest {
  ctx: Context;
  interaction: InteractionLike;
  flow: Flow;
  client: ClientView;
  /** The flow's account as a method read it in this request (see Step 'done'); saves reading it again. */
  account?: Account;
}

/**
 * How a module's own routes drive a sign-in (a bank link of the chooser continues the banking method):
 * the engine runs the step and the web layer answers the browser, without the module importing either.
 */
export interface LoginPort {
  continueMethod(req: LoginRequest, methodId: string, input: Record<string, string>): Promise<void>;
}
