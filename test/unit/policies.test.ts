import { describe, expect, it } from '@jest/globals';
import { requiredLevel } from '../../src/assurance/required-level.js';
import { atLeast } from '../../src/assurance/levels.js';
import { reachedLevel } from '../../src/engine/assurance.js';
import { decide } from '../../src/engine/policies.js';
import type { Flow, Method, PolicyInput } from '../../src/engine/types.js';
import { POLICIES } from '../../interactions/index.js';

function method(id: string, factor: 'first' | 'second', acr: 'low' | 'substantial' | 'high', amr: string[]): Method {
  return {
    id,
    factor,
    acr,
    amr,
    labelKey: 'method.password',
    start: async () => ({ kind: 'prompt', view: id }),
    continue: async () => ({ kind: 'prompt', view: id }),
  };
}
const password = method('password', 'first', 'low', ['pwd']);
const eSignature = method('e-signature', 'first', 'high', ['hwk', 'sc', 'pin']);
const sms = method('sms', 'second', 'substantial', ['sms', 'otp']);
const client = { clientId: 'c', name: 'C', minimumAcr: undefined };
const flow = (completed: Flow['completed'] = []): Flow => ({ csrf: 'x', locale: 'tr', requiredAcr: undefined, completed });
const input = (f: Flow, requiredAcr: PolicyInput['requiredAcr'], methods: Method[]): PolicyInput => ({
  flow: f,
  account: undefined,
  client,
  requiredAcr,
  methods,
});
const done = (m: Method) => ({ method: m.id, factor: m.factor, at: 0, amr: [...m.amr], acr: m.acr });

describe('levels', () => {
  it('are ordered low < substantial < high', () => {
    expect(atLeast('high', 'substantial')).toBe(true);
    expect(atLeast('low', 'substantial')).toBe(false);
    expect(atLeast(undefined, undefined)).toBe(true);
  });

  it('the level required is the higher of the institution minimum and the lowest level asked for', () => {
    expect(requiredLevel({ acrValues: 'high substantial' })).toBe('substantial');
    expect(requiredLevel({ acrValues: 'low', clientMinimum: 'substantial' })).toBe('substantial');
    expect(requiredLevel({ acrValues: 'urn:unknown high' })).toBe('high');
    expect(requiredLevel({ acrValues: 'urn:unknown' })).toBeUndefined();
    expect(requiredLevel({ acrClaim: { essential: true, value: 'high' } })).toBe('high');
    expect(requiredLevel({ acrClaim: { essential: true, values: ['substantial', 'high'] }, acrValues: 'low' })).toBe('substantial');
  });

  it('a second factor raises low to substantial, never above what was proved', () => {
    expect(reachedLevel([done(password)])).toBe('low');
    expect(reachedLevel([done(password), done(sms)])).toBe('substantial');
    expect(reachedLevel([done(eSignature), done(sms)])).toBe('high');
    expect(reachedLevel([])).toBeUndefined();
  });
});

describe('policies', () => {
  it('offers the first methods that can reach the level, alone or with a second factor', async () => {
    expect(await decide(input(flow(), 'low', [password, eSignature]), POLICIES)).toEqual({ kind: 'next', methods: [password, eSignature] });
    expect(await decide(input(flow(), 'high', [password, eSignature]), POLICIES)).toEqual({ kind: 'next', methods: [eSignature] });
    expect(await decide(input(flow(), 'substantial', [password, eSignature, sms]), POLICIES)).toEqual({ kind: 'next', methods: [password, eSignature] });
  });

  it('refuses when no method can reach the level', async () => {
    expect(await decide(input(flow(), 'substantial', [password]), POLICIES)).toEqual({ kind: 'deny', code: 'level_unreachable' });
  });

  it('is satisfied once the level is reached, and steps up otherwise', async () => {
    expect(await decide(input(flow([done(password)]), 'low', [password]), POLICIES)).toEqual({ kind: 'satisfied', acr: 'low' });
    expect(await decide(input(flow([done(password)]), 'substantial', [password, sms, eSignature]), POLICIES)).toEqual({
      kind: 'next',
      methods: [sms, eSignature],
      why: 'step_up',
    });
    expect(await decide(input(flow([done(password), done(sms)]), 'substantial', [password, sms]), POLICIES)).toEqual({ kind: 'satisfied', acr: 'substantial' });
    expect(await decide(input(flow([done(password)]), 'high', [password, sms]), POLICIES)).toEqual({ kind: 'deny', code: 'level_unreachable' });
  });

  it('skips methods the person is not enrolled in', async () => {
    const enrolledOnly = { ...sms, usableBy: () => false };
    const account = { passwordLoginEnabled: true } as never;
    expect(await decide({ ...input(flow([done(password)]), 'substantial', [password, enrolledOnly]), account }, POLICIES)).toEqual({
      kind: 'deny',
      code: 'level_unreachable',
    });
  });
});
