import { atLeast } from '../assurance/levels.js';
import { levelWith, reachedLevel } from './assurance.js';
import type { MethodTraitBook } from './traits.js';
import type { Decision, Method, Policy, PolicyInput } from './types.js';

/** Methods that could still be offered: not done yet, of a factor that makes sense now. */
function candidates(input: PolicyInput): Method[] {
  const done = new Set(input.flow.completed.map((c) => c.method));
  const hasFirst = input.flow.completed.some((c) => c.factor === 'first');
  return input.methods.filter((m) => !done.has(m.id) && (m.factor === 'first' || hasFirst));
}

/** Which of the candidate methods reach the required level from where the flow stands. */
export async function methodsReaching(input: PolicyInput): Promise<Method[]> {
  const out: Method[] = [];
  for (const m of candidates(input)) {
    if (!atLeast(levelWith(input.flow.completed, m), input.requiredAcr)) continue;
    if (input.account && m.usableBy && !(await m.usableBy(input.account))) continue;
    out.push(m);
  }
  return out;
}

/** Nothing done yet: the person picks a first method able to reach the level, or is refused. */
export const firstFactorPolicy: Policy = async (input) => {
  if (input.flow.completed.some((c) => c.factor === 'first')) return undefined;
  const reaching = await methodsReaching(input);
  // A first method that reaches the level alone, or one that can be raised there by a second factor.
  const usefulFirst = input.methods.filter(
    (m) =>
      m.factor === 'first' &&
      (reaching.includes(m) ||
        input.methods.some(
          (s) => s.factor === 'second' && atLeast(levelWith([{ method: m.id, factor: 'first', acr: m.acr, amr: [...m.amr], at: 0 }], s), input.requiredAcr),
        )),
  );
  if (!usefulFirst.length) return { kind: 'deny', code: 'level_unreachable' };
  return { kind: 'next', methods: usefulFirst };
};

/** Below the level asked for: step up with a method that reaches it, or refuse. */
export const stepUpPolicy: Policy = async (input) => {
  const reached = reachedLevel(input.flow.completed);
  if (atLeast(reached, input.requiredAcr)) return undefined;
  const reaching = await methodsReaching(input);
  if (!reaching.length) return { kind: 'deny', code: 'level_unreachable' };
  return { kind: 'next', methods: reaching, why: 'step_up' };
};

/**
 * Two-factor authentication (issue 7). After the first stage, a second stage is required when the
 * account has two-factor authentication on (after every first method), or when it has an active
 * method that is `asked-after-password` (the e-Government Key) and the first stage proved a
 * `password`. Offered: the second methods the person is enrolled in (`usableBy`: a registered device,
 * else the verified phone; the TOTP key). Nobody does two second stages: once one is done (now, or in
 * the session being continued, which shows it by the amr values only a second stage earns together) this policy is
 * silent, and the level asked for is left to the step-up policy. What each method is comes from its
 * module's traits, never from its id.
 */
export function secondFactorPolicy(traits: MethodTraitBook): Policy {
  return async (input) => {
    const { flow, account } = input;
    if (!account) return undefined;
    const firsts = flow.completed.filter((c) => c.factor === 'first');
    if (!firsts.length) return undefined;
    const secondDone = flow.completed.some((c) => c.factor === 'second' || (c.method === 'session' && traits.showsSecondStage(c.amr)));
    if (secondDone) return undefined;
    const afterPassword = firsts.some((c) => traits.proves(c.method, 'password'));
    // Nothing to ask (and no enrolment to look up) without the setting, unless a password may need its TOTP.
    if (!account.twoFactorEnabled && !afterPassword) return undefined;
    // Every second method is asked at once (issue 27): their enrolment reads go out together instead of
    // one after another, and the two that ask the same question share its statement
    // (interactions/second-factor/devices/device-presence.ts). The order offered stays the methods' order.
    const seconds = input.methods.filter((m) => m.factor === 'second');
    const verdicts = await Promise.all(seconds.map((m) => !m.usableBy || m.usableBy(account)));
    const usable = seconds.filter((_, i) => verdicts[i]);
    const askedAfterPassword = afterPassword && usable.some((m) => traits.proves(m.id, 'asked-after-password'));
    if (!account.twoFactorEnabled && !askedAfterPassword) return undefined;
    // The setting is on but nothing is enrolled any more (device deleted, phone removed): say so.
    if (!usable.length) return { kind: 'deny', code: 'second_factor_unavailable' };
    return { kind: 'next', methods: usable, why: 'second_factor' };
  };
}

/** The policies of a Kapı whose methods have these traits, in order. */
export function policiesFor(traits: MethodTraitBook): readonly Policy[] {
  return [firstFactorPolicy, secondFactorPolicy(traits), stepUpPolicy];
}

/** Runs the policies in order; the first that answers decides; if none objects, the flow is satisfied. */
export async function decide(input: PolicyInput, policies: readonly Policy[]): Promise<Decision> {
  for (const policy of policies) {
    const decision = await policy(input);
    if (decision) return decision;
  }
  const acr = reachedLevel(input.flow.completed);
  if (!acr) return { kind: 'deny', code: 'level_unreachable' };
  return { kind: 'satisfied', acr };
}
