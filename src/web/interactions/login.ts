import { reachedLevel } from '../../engine/assurance.js';
import type { LoginRequest } from '../../engine/login-port.js';
import * as steps from '../../engine/steps.js';
import type { Outcome, StepRequest } from '../../engine/steps.js';
import { translate } from '../../i18n/index.js';
import { LEVEL_LABEL, REFUSAL_MESSAGE } from '../messages.js';
import { renderPage } from '../render.js';
import { bindUpstreamAnswer } from '../upstream-binding.js';
import { alternativesFor } from './alternatives.js';
import { deviceOf, rememberDevice } from '../device-cookie.js';
import { finishInteraction } from './finish.js';
import type { InteractionDeps } from './context.js';

export type { LoginRequest };

// The web side of a sign-in (issue 21 point 2): the engine's step runner (src/engine/steps.ts) decides
// what happens next; this file turns its outcome into a page, a redirect or oidc-provider's resume.

/** What the runner needs to know of this HTTP request. */
function stepRequest(deps: InteractionDeps, req: LoginRequest): StepRequest {
  const { ctx } = req;
  return {
    interaction: req.interaction,
    flow: req.flow,
    client: req.client,
    ...(req.account ? { account: req.account } : {}),
    facts: {
      ip: deps.clientIp(ctx),
      userAgent: ctx.get('user-agent'),
      choose: ctx.query.choose !== undefined,
      deviceFor: (nationalId) => deviceOf(ctx, deps.deviceCookies, nationalId),
    },
  };
}

/** Shows the chooser, the only useful method directly, or the refusal, as the policies decide. */
export async function showLogin(deps: InteractionDeps, req: LoginRequest): Promise<void> {
  const run = stepRequest(deps, req);
  return answer(deps, req, await steps.resume(deps, run));
}

/** Read-only status of the method in progress, for the waiting page's script. */
export async function pollMethod(deps: InteractionDeps, req: LoginRequest): Promise<'pending' | 'ready'> {
  return steps.poll(deps, stepRequest(deps, req));
}

export async function chooseMethod(deps: InteractionDeps, req: LoginRequest, methodId: string): Promise<void> {
  const run = stepRequest(deps, req);
  return answer(deps, req, await steps.choose(deps, run, methodId));
}

export async function continueMethod(deps: InteractionDeps, req: LoginRequest, methodId: string, input: Record<string, string>): Promise<void> {
  const run = stepRequest(deps, req);
  return answer(deps, req, await steps.proceed(deps, run, methodId, input));
}

/** Renders the runner's outcome (the flow is already saved, except after `finished`, when it is replaced). */
async function answer(deps: InteractionDeps, req: LoginRequest, outcome: Outcome): Promise<void> {
  const { ctx, flow, interaction } = req;
  switch (outcome.kind) {
    case 'step': {
      const { method, step } = outcome;
      // Messages that send the person elsewhere ("locked; sign in with {methods}") name the methods
      // that can replace this one, from the methods configured (./alternatives.ts).
      const alternatives = alternativesFor(deps.methods.all(), flow, method, flow.locale);
      const error = step.kind === 'prompt' && step.error ? { ...step.error, params: { methods: alternatives, ...step.error.params } } : undefined;
      return renderPage(
        ctx,
        step.view,
        flow.locale,
        {
          title: translate(flow.locale, method.labelKey),
          uid: interaction.uid,
          csrf: flow.csrf,
          client: req.client,
          action: `/interaction/${interaction.uid}/method/${method.id}/continue`,
          chooserUrl: `/interaction/${interaction.uid}?choose=1`,
          alternatives,
          ...(step.kind === 'prompt'
            ? { error }
            : {
                pollSeconds: step.pollSeconds,
                pollUrl: `/interaction/${interaction.uid}/poll`,
                continueUrl: `/interaction/${interaction.uid}`,
                script: '/static/poll.js',
              }),
          stepNotice: stepNotice(deps, req),
          ...step.data,
        },
        { status: step.kind === 'prompt' ? (step.status ?? 200) : 200 },
      );
    }
    case 'redirect':
      if (outcome.binding) bindUpstreamAnswer(ctx, outcome.binding);
      ctx.redirect(outcome.url);
      return;
    case 'refusal':
      return renderPage(
        ctx,
        '/src/web/views/refusal',
        flow.locale,
        {
          title: translate(flow.locale, 'refusal.title'),
          uid: interaction.uid,
          csrf: flow.csrf,
          client: req.client,
          code: outcome.code,
          messageKey: REFUSAL_MESSAGE[outcome.code],
          levelLabel: LEVEL_LABEL[flow.requiredAcr ?? 'low'],
        },
        { status: 403 },
      );
    case 'chooser': {
      const notice = stepNotice(deps, req);
      return renderPage(ctx, '/src/web/views/chooser', flow.locale, {
        title: translate(flow.locale, notice ? 'chooser.next_title' : 'chooser.title'),
        stepNotice: notice,
        uid: interaction.uid,
        csrf: flow.csrf,
        client: req.client,
        levelLabel: flow.requiredAcr && LEVEL_LABEL[flow.requiredAcr],
        // A method with a chooser form (the password) comes first, with its form; the others as buttons.
        forms: outcome.methods
          .filter((m) => m.chooserForm)
          .map((m) => ({ id: m.id, labelKey: m.labelKey, view: m.chooserForm, action: `/interaction/${interaction.uid}/method/${m.id}/continue` })),
        methods: outcome.methods.filter((m) => !m.chooserForm).map((m) => ({ id: m.id, labelKey: m.labelKey })),
      });
    }
    case 'finished':
      // This browser is now the person's own (OWASP device cookie): her later guesses count apart from strangers'.
      if (outcome.account) rememberDevice(ctx, deps.deviceCookies, outcome.account.nationalId);
      // `kapi` travels to the resume step, where the session index records how this session was proved
      // (src/sessions/record-sign-in.ts).
      // The flow's form token stays beside it: "cancel" on a page of this sign-in that the browser still
      // shows (the refused one of a double post) can still replace the login with an error (routes.ts).
      return finishInteraction(deps.provider(), ctx, interaction, { login: outcome.login, kapi: { ...outcome.signIn, csrf: flow.csrf } });
  }
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
      : translate(locale, 'step.done_session', { level: translate(locale, LEVEL_LABEL[reachedLevel(flow.completed) ?? 'low']) });
  const why =
    flow.nextStepWhy === 'second_factor'
      ? translate(locale, 'step.why_second_factor')
      : translate(locale, 'step.why_level', { client: req.client.name, level: translate(locale, LEVEL_LABEL[flow.requiredAcr ?? 'low']) });
  return { done, why };
}
