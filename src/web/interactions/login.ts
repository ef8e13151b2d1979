import type { Acr } from '../../assurance/levels.js';
import { collectedAmr, reachedLevel } from '../../engine/assurance.js';
import { decide } from '../../engine/policies.js';
import type { Method, MethodContext, Step } from '../../engine/types.js';
import type { LoginRequest } from '../../engine/login-port.js';
import { saveFlow } from '../../engine/flow-store.js';
import { KapiError } from '../../errors.js';
import { translate } from '../i18n.js';
import { renderPage } from '../render.js';
import { bindUpstreamAnswer } from '../upstream-binding.js';
import { alternativesFor } from './alternatives.js';
import { deviceOf, rememberDevice } from '../device-cookie.js';
import type { InteractionDeps } from './context.js';
import type { SignInResult } from '../../sessions/record-sign-in.js';

export type { LoginRequest };

function methodContext(deps: InteractionDeps, req: LoginRequest, method: Method): MethodContext {
  if (req.flow.current?.method !== method.id) req.flow.current = { method: method.id, state: {} };
  return {
    flow: req.flow,
    client: req.client,
    ip: deps.clientIp(req.ctx),
    userAgent: req.ctx.get('user-agent'),
    state: req.flow.current.state,
    deviceFor: (nationalId) => deviceOf(req.ctx, deps.deviceCookies, nationalId),
  };
}

/** Shows the chooser, the only useful method directly, or the refusal, as the policies decide. */
export async function showLogin(deps: InteractionDeps, req: LoginRequest): Promise<void> {
  // "Other sign-in methods" (?choose=1) leaves the method in progress for the chooser.
  if (req.ctx.query.choose !== undefined) delete req.flow.current;
  const current = req.flow.current && deps.methods.get(req.flow.current.method);
  if (current) return runStep(deps, req, current, await current.start(methodContext(deps, req, current)));
  return advance(deps, req);
}

/** Read-only status of the method in progress, for the waiting page's script. */
export async function pollMethod(deps: InteractionDeps, req: LoginRequest): Promise<'pending' | 'ready'> {
  const method = req.flow.current && deps.methods.get(req.flow.current.method);
  if (!method?.poll) return 'ready';
  return method.poll(methodContext(deps, req, method));
}

/**
 * Makes `method` the flow's method in progress, if the policies offer it at this moment (as they did when
 * the chooser was shown); anything else is `method_unavailable`, whatever the browser posted.
 */
async function beginOffered(deps: InteractionDeps, req: LoginRequest, method: Method | undefined): Promise<Method> {
  const decision = method ? await decideFor(deps, req) : undefined;
  if (!method || decision?.kind !== 'next' || !decision.methods.includes(method)) throw new KapiError('method_unavailable');
  req.flow.current = { method: method.id, state: {} };
  return method;
}

export async function chooseMethod(deps: InteractionDeps, req: LoginRequest, methodId: string): Promise<void> {
  const method = await beginOffered(deps, req, deps.methods.get(methodId));
  return runStep(deps, req, method, await method.start(methodContext(deps, req, method)));
}

export async function continueMethod(deps: InteractionDeps, req: LoginRequest, methodId: string, input: Record<string, string>): Promise<void> {
  const method = deps.methods.get(methodId);
  if (!method) throw new KapiError('method_unavailable');
  if (req.flow.current?.method !== methodId) {
    // A post from the form the chooser shows for this method (chooserForm) starts the method here.
    if (!method.chooserForm) throw new KapiError('method_unavailable');
    await beginOffered(deps, req, method);
  }
  return runStep(deps, req, method, await method.continue(methodContext(deps, req, method), input));
}

async function decideFor(deps: InteractionDeps, req: LoginRequest) {
  const { accountId } = req.flow;
  const account = !accountId ? undefined : req.account?.id === accountId ? req.account : await deps.accounts.findById(accountId);
  return decide({ flow: req.flow, account, client: req.client, requiredAcr: req.flow.requiredAcr, methods: deps.methods.all() }, deps.policies);
}

async function runStep(deps: InteractionDeps, req: LoginRequest, method: Method, step: Step): Promise<void> {
  const { ctx, flow } = req;
  switch (step.kind) {
    case 'prompt':
    case 'wait': {
      await saveFlow(req.interaction, flow);
      // Messages that send the person elsewhere ("locked; sign in with {methods}") name the methods
      // that can replace this one, from the methods configured (./alternatives.ts).
      const alternatives = alternativesFor(deps.methods.all(), flow, method, flow.locale);
      const error = step.kind === 'prompt' && step.error ? { ...step.error, params: { methods: alternatives, ...step.error.params } } : undefined;
      return renderPage(ctx, step.view, flow.locale, {
        title: translate(flow.locale, `${method.labelKey}`),
        uid: req.interaction.uid,
        csrf: flow.csrf,
        client: req.client,
        action: `/interaction/${req.interaction.uid}/method/${method.id}/continue`,
        chooserUrl: `/interaction/${req.interaction.uid}?choose=1`,
        alternatives,
        ...(step.kind === 'prompt'
          ? { error }
          : { pollSeconds: step.pollSeconds, pollUrl: `/interaction/${req.interaction.uid}/poll`, continueUrl: `/interaction/${req.interaction.uid}`, script: '/static/poll.js' }),
        stepNotice: stepNotice(deps, req),
        ...step.data,
      }, { status: step.kind === 'prompt' ? step.status ?? 200 : 200 });
    }
    case 'redirect':
      await saveFlow(req.interaction, flow);
      if (step.binding) bindUpstreamAnswer(ctx, step.binding);
      ctx.redirect(step.url);
      return;
    case 'done': {
      // A step-up proves the same person: a different identity starts a new session from scratch.
      if (flow.accountId && flow.accountId !== step.accountId) flow.completed = [];
      flow.accountId = step.accountId;
      req.account = step.account?.id === step.accountId ? step.account : undefined;
      flow.completed.push({ method: method.id, factor: method.factor, at: Math.floor(Date.now() / 1000), amr: step.amr, acr: step.upstreamAcr ?? method.acr });
      delete flow.current;
      return advance(deps, req);
    }
  }
}

/** After each completed method: finish, offer the next methods, or refuse. */
async function advance(deps: InteractionDeps, req: LoginRequest): Promise<void> {
  const { ctx, flow, interaction } = req;
  const decision = await decideFor(deps, req);
  if (decision.kind === 'satisfied') return finishLogin(deps, req, decision.acr);
  if (decision.kind === 'deny') {
    await saveFlow(interaction, flow);
    return renderPage(ctx, '/src/web/views/refusal', flow.locale, {
      title: translate(flow.locale, 'refusal.title'),
      uid: interaction.uid,
      csrf: flow.csrf,
      client: req.client,
      level: flow.requiredAcr ?? 'low',
      code: decision.code,
    }, { status: 403 });
  }
  flow.nextStepWhy = decision.why;
  const only = decision.methods.length === 1 ? decision.methods[0] : undefined;
  if (only && ctx.query.choose === undefined) {
    flow.current = { method: only.id, state: {} };
    return runStep(deps, req, only, await only.start(methodContext(deps, req, only)));
  }
  delete flow.current;
  await saveFlow(interaction, flow);
  const notice = stepNotice(deps, req);
  return renderPage(ctx, '/src/web/views/chooser', flow.locale, {
    title: translate(flow.locale, notice ? 'chooser.next_title' : 'chooser.title'),
    stepNotice: notice,
    uid: interaction.uid,
    csrf: flow.csrf,
    client: req.client,
    level: flow.requiredAcr,
    // A method with a chooser form (the password) comes first, with its form; the others as buttons.
    forms: decision.methods.filter((m) => m.chooserForm).map((m) => ({ id: m.id, labelKey: m.labelKey, view: m.chooserForm, action: `/interaction/${interaction.uid}/method/${m.id}/continue` })),
    methods: decision.methods.filter((m) => !m.chooserForm).map((m) => ({ id: m.id, labelKey: m.labelKey })),
  });
}

/**
 * After a first stage, the pages that follow say that it was accepted and why one more step is needed
 * (the account's two-step setting, or a level above what was proved), instead of looking like a new
 * start. Undefined while nothing has been proved yet.
 */
function stepNotice(deps: InteractionDeps, req: LoginRequest): { done: string; why: string } | undefined {
  const { flow } = req;
  if (!flow.nextStepWhy) return undefined;
  const first = [...flow.completed].reverse().find((c) => c.factor === 'first');
  if (!first) return undefined;
  const locale = flow.locale;
  const label = first.method === 'session' ? undefined : deps.methods.get(first.method)?.labelKey;
  // A password is named as such ("your password was verified"); other methods by their name.
  const done = deps.traits.proves(first.method, 'password')
    ? translate(locale, 'step.done_password')
    : label
      ? translate(locale, 'step.done_method', { method: translate(locale, label) })
      : translate(locale, 'step.done_session', { level: translate(locale, levelKey(reachedLevel(flow.completed) ?? 'low')) });
  const why = flow.nextStepWhy === 'second_factor'
    ? translate(locale, 'step.why_second_factor')
    : translate(locale, 'step.why_level', { client: req.client.name, level: translate(locale, levelKey(flow.requiredAcr ?? 'low')) });
  return { done, why };
}

const LEVEL_KEYS = { low: 'level.low', substantial: 'level.substantial', high: 'level.high' } as const;
const levelKey = (level: Acr) => LEVEL_KEYS[level];

async function finishLogin(deps: InteractionDeps, req: LoginRequest, acr: Acr): Promise<void> {
  const { ctx, flow } = req;
  if (!flow.accountId) throw new KapiError('internal', 'flow satisfied without an account');
  const amr = collectedAmr(flow.completed);
  const methods = flow.completed.filter((c) => c.method !== 'session').map((c) => c.method);
  await deps.audit.signIn({ accountId: flow.accountId, clientId: req.client.clientId, method: methods.join('+') || 'session', acr, result: 'success', ip: deps.clientIp(ctx), userAgent: ctx.get('user-agent') });
  const firstAt = flow.completed.filter((c) => c.method !== 'session').reduce((min, c) => Math.min(min, c.at), Number.MAX_SAFE_INTEGER);
  // `kapi` travels to the resume step, where the session index records how this session was proved
  // (src/sessions/record-sign-in.ts): oidc-provider's session keeps only acr and amr.
  const signIn: SignInResult = { methods, continuesSession: flow.completed.some((c) => c.method === 'session') };
  // This browser is now the person's own (OWASP device cookie): her later guesses count apart from strangers'.
  const account = req.account?.id === flow.accountId ? req.account : await deps.accounts.findById(flow.accountId);
  if (account) {
    rememberDevice(ctx, deps.deviceCookies, account.nationalId);
    await deps.ownerSignedIn?.(account.nationalId);
  }
  await deps.provider().interactionFinished(ctx.req, ctx.res, {
    login: { accountId: flow.accountId, acr, amr, remember: true, ts: firstAt === Number.MAX_SAFE_INTEGER ? undefined : firstAt },
    kapi: signIn,
  }, { mergeWithLastSubmission: false });
  ctx.respond = false;
}

