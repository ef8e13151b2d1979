import type { Account } from '../accounts/account.js';
import type { Acr } from '../assurance/levels.js';
import { KapiError } from '../errors.js';
import type { SignInResult } from '../sessions/record-sign-in.js';
import { collectedAmr } from './assurance.js';
import { saveFlow, type InteractionLike } from './flow-store.js';
import type { MethodRegistry } from './method-registry.js';
import { decide } from './policies.js';
import type { ClientView, Decision, Flow, Method, MethodContext, Policy, Step, UpstreamBinding } from './types.js';

// The step runner (issue 21 point 2): what a sign-in does next, decided by the policies and the method
// in progress, independent of how it is shown. It runs a method's step, records a completion, asks the
// policies again and finishes the login; it answers with an Outcome that the web layer renders
// (src/web/interactions/login.ts). The flow is saved here before any outcome that leaves the request.

/** What the runner needs, wired once in src/app.ts. */
export interface StepRunnerDeps {
  methods: MethodRegistry;
  policies: readonly Policy[];
  accounts: { findById(id: string): Promise<Account | undefined> };
  audit: {
    signIn(record: {
      accountId: string;
      clientId: string;
      method: string;
      acr: Acr;
      result: 'success';
      ip: string;
      userAgent: string;
      credentials?: string;
    }): Promise<void>;
  };
  /** After every successful sign-in: the person showed up, so strangers' runs of failures against her end. */
  ownerSignedIn?: (nationalId: string) => Promise<void>;
}

/** What the runner knows of the browser's request (the web layer reads it from the HTTP request). */
export interface RequestFacts {
  ip: string;
  userAgent: string;
  /** "Other sign-in methods" (?choose=1): show the chooser rather than start the only method. */
  choose: boolean;
  /** This browser's own device id for this identity number (OWASP device cookie), if any. */
  deviceFor(nationalId: string): string | undefined;
}

export interface StepRequest {
  interaction: InteractionLike;
  flow: Flow;
  client: ClientView;
  facts: RequestFacts;
  /** The flow's account as a method read it in this request (see Step 'done'); saves reading it again. */
  account?: Account;
  /** The account whose run of failures a method's success ended in this request (Step 'done'). */
  runOfFailuresEndedFor?: string;
}

/** What the web layer shows or does next; for every kind but `finished` the flow has been saved. */
export type Outcome =
  | { kind: 'step'; method: Method; step: Extract<Step, { kind: 'prompt' | 'wait' }> }
  | { kind: 'redirect'; url: string; binding?: UpstreamBinding }
  | { kind: 'chooser'; methods: Method[] }
  | { kind: 'refusal'; code: Extract<Decision, { kind: 'deny' }>['code'] }
  | {
      kind: 'finished';
      /** oidc-provider's login result. */
      login: { accountId: string; acr: Acr; amr: string[]; remember: true; ts: number | undefined };
      /** What the session index records of how the session was proved (src/sessions/record-sign-in.ts). */
      signIn: SignInResult;
      account: Account | undefined;
    };

function methodContext(req: StepRequest, method: Method): MethodContext {
  if (req.flow.current?.method !== method.id) req.flow.current = { method: method.id, state: {} };
  return {
    flow: req.flow,
    client: req.client,
    ip: req.facts.ip,
    userAgent: req.facts.userAgent,
    state: req.flow.current.state,
    deviceFor: (nationalId) => req.facts.deviceFor(nationalId),
  };
}

/** The method in progress (resumed), or what the policies decide. */
export async function resume(deps: StepRunnerDeps, req: StepRequest): Promise<Outcome> {
  // "Other sign-in methods" (?choose=1) leaves the method in progress for the chooser.
  if (req.facts.choose) delete req.flow.current;
  const current = req.flow.current && deps.methods.get(req.flow.current.method);
  if (current) return runStep(deps, req, current, await current.start(methodContext(req, current)));
  return advance(deps, req);
}

/** Read-only status of the method in progress, for the waiting page's script. */
export async function poll(deps: StepRunnerDeps, req: StepRequest): Promise<'pending' | 'ready'> {
  const method = req.flow.current && deps.methods.get(req.flow.current.method);
  if (!method?.poll) return 'ready';
  return method.poll(methodContext(req, method));
}

/**
 * Makes `method` the flow's method in progress, if the policies offer it at this moment (as they did when
 * the chooser was shown); anything else is `method_unavailable`, whatever the browser posted.
 */
async function beginOffered(deps: StepRunnerDeps, req: StepRequest, method: Method | undefined): Promise<Method> {
  const decision = method ? await decideFor(deps, req) : undefined;
  if (!method || decision?.kind !== 'next' || !decision.methods.includes(method)) throw new KapiError('method_unavailable');
  req.flow.current = { method: method.id, state: {} };
  return method;
}

export async function choose(deps: StepRunnerDeps, req: StepRequest, methodId: string): Promise<Outcome> {
  const method = await beginOffered(deps, req, deps.methods.get(methodId));
  return runStep(deps, req, method, await method.start(methodContext(req, method)));
}

export async function proceed(deps: StepRunnerDeps, req: StepRequest, methodId: string, input: Record<string, string>): Promise<Outcome> {
  const method = deps.methods.get(methodId);
  if (!method) throw new KapiError('method_unavailable');
  if (req.flow.current?.method !== methodId) {
    // A post from the form the chooser shows for this method (chooserForm) starts the method here.
    if (!method.chooserForm) throw new KapiError('method_unavailable');
    await beginOffered(deps, req, method);
  }
  return runStep(deps, req, method, await method.continue(methodContext(req, method), input));
}

async function decideFor(deps: StepRunnerDeps, req: StepRequest): Promise<Decision> {
  const { accountId } = req.flow;
  const account = !accountId ? undefined : req.account?.id === accountId ? req.account : await deps.accounts.findById(accountId);
  return decide({ flow: req.flow, account, client: req.client, requiredAcr: req.flow.requiredAcr, methods: deps.methods.all() }, deps.policies);
}

async function runStep(deps: StepRunnerDeps, req: StepRequest, method: Method, step: Step): Promise<Outcome> {
  const { flow } = req;
  switch (step.kind) {
    case 'prompt':
    case 'wait':
      await saveFlow(req.interaction, flow);
      return { kind: 'step', method, step };
    case 'redirect':
      await saveFlow(req.interaction, flow);
      return { kind: 'redirect', url: step.url, ...(step.binding ? { binding: step.binding } : {}) };
    case 'done': {
      // A step-up proves the same person: a different identity starts a new session from scratch.
      if (flow.accountId && flow.accountId !== step.accountId) flow.completed = [];
      flow.accountId = step.accountId;
      req.account = step.account?.id === step.accountId ? step.account : undefined;
      if (step.runOfFailuresEnded) req.runOfFailuresEndedFor = step.accountId;
      flow.completed.push({
        method: method.id,
        factor: method.factor,
        at: Math.floor(Date.now() / 1000),
        amr: step.amr,
        acr: step.upstreamAcr ?? method.acr,
        ...(step.credential ? { credential: step.credential } : {}),
      });
      delete flow.current;
      return advance(deps, req);
    }
  }
}

/** After each completed method: finish, offer the next methods, or refuse. */
async function advance(deps: StepRunnerDeps, req: StepRequest): Promise<Outcome> {
  const { flow, interaction } = req;
  const decision = await decideFor(deps, req);
  if (decision.kind === 'satisfied') return finish(deps, req, decision.acr);
  if (decision.kind === 'deny') {
    await saveFlow(interaction, flow);
    return { kind: 'refusal', code: decision.code };
  }
  flow.nextStepWhy = decision.why;
  const only = decision.methods.length === 1 ? decision.methods[0] : undefined;
  if (only && !req.facts.choose) {
    flow.current = { method: only.id, state: {} };
    return runStep(deps, req, only, await only.start(methodContext(req, only)));
  }
  delete flow.current;
  await saveFlow(interaction, flow);
  return { kind: 'chooser', methods: decision.methods };
}

/**
 * "Finish login": records the sign-in, tells the guess limits the owner showed up, and gives the web
 * layer oidc-provider's login result. acr is computed from what was completed, never stored by hand.
 */
async function finish(deps: StepRunnerDeps, req: StepRequest, acr: Acr): Promise<Outcome> {
  const { flow } = req;
  if (!flow.accountId) throw new KapiError('internal', 'flow satisfied without an account');
  const amr = collectedAmr(flow.completed);
  const methods = flow.completed.filter((c) => c.method !== 'session').map((c) => c.method);
  const credentials = signInCredentials(flow.completed);
  await deps.audit.signIn({
    accountId: flow.accountId,
    clientId: req.client.clientId,
    method: methods.join('+') || 'session',
    acr,
    result: 'success',
    ip: req.facts.ip,
    userAgent: req.facts.userAgent,
    ...(credentials ? { credentials } : {}),
  });
  const firstAt = flow.completed.filter((c) => c.method !== 'session').reduce((min, c) => Math.min(min, c.at), Number.MAX_SAFE_INTEGER);
  // `signIn` travels to the resume step, where the session index records how this session was proved
  // (src/sessions/record-sign-in.ts): oidc-provider's session keeps only acr and amr.
  const signIn: SignInResult = { methods, continuesSession: flow.completed.some((c) => c.method === 'session') };
  const account = req.account?.id === flow.accountId ? req.account : await deps.accounts.findById(flow.accountId);
  // A run a method ended in this very request is not ended twice; one that a later step (a second factor)
  // finishes is ended here, as strangers may have failed in between.
  if (account && req.runOfFailuresEndedFor !== account.id) await deps.ownerSignedIn?.(account.nationalId);
  return {
    kind: 'finished',
    login: { accountId: flow.accountId, acr, amr, remember: true, ts: firstAt === Number.MAX_SAFE_INTEGER ? undefined : firstAt },
    signIn,
    account,
  };
}

/** The credentials the completed methods name, as the sign-in record keeps them: `<method>:<id>` pairs. */
export function signInCredentials(completed: readonly { method: string; credential?: string }[]): string | undefined {
  const pairs = completed.filter((c) => c.credential && /^[\w.-]{1,100}$/.test(c.credential)).map((c) => `${c.method}:${c.credential}`);
  return pairs.length ? pairs.join(' ').slice(0, 200) : undefined;
}

/** The credential of `method` a sign-in record names, if any. */
export function credentialOf(credentials: string | null | undefined, method: string): string | undefined {
  for (const pair of (credentials ?? '').split(' ')) {
    const at = pair.indexOf(':');
    if (at > 0 && pair.slice(0, at) === method) return pair.slice(at + 1);
  }
  return undefined;
}
