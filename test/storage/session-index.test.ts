import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startKapi, type TestKapi } from '../support/kapi.js';

describe('session index records', () => {
  let t: TestKapi;
  let accountId: string;
  beforeAll(async () => {
    t = await startKapi();
    accountId = (await t.kapi.services.accounts.findByNationalId('10000000146'))!.id;
  });
  afterAll(async () => {
    await t.stop();
  });

  const base = () => ({
    accountId,
    acr: 'low' as const,
    amr: ['pwd'],
    signedInAt: Math.floor(Date.now() / 1000),
    ip: '127.0.0.1',
    userAgent: 'ua',
    continuesSession: false,
  });

  it('keeps the earlier methods of a step-up, in order and without repeats', async () => {
    const uid = randomUUID();
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['password'] });
    await t.kapi.services.sessions.record({
      ...base(),
      uid,
      methods: ['password', 'sms'],
      acr: 'substantial',
      amr: ['pwd', 'sms', 'otp'],
      continuesSession: true,
    });
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['e-signature'], acr: 'high', amr: ['hwk', 'sc', 'pin'], continuesSession: true });
    const s = await t.kapi.services.sessions.find(uid);
    expect(s?.methods).toEqual(['password', 'sms', 'e-signature']);
    expect(s?.acr).toBe('high');
    expect(s?.amr).toEqual(['hwk', 'sc', 'pin']);
  });

  it('starts afresh when the sign-in does not continue the session', async () => {
    const uid = randomUUID();
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['password'] });
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['e-signature'], acr: 'high' });
    expect((await t.kapi.services.sessions.find(uid))?.methods).toEqual(['e-signature']);
  });

  it('records a session with no amr', async () => {
    const uid = randomUUID();
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['password'], amr: [] });
    expect((await t.kapi.services.sessions.find(uid))?.amr).toEqual([]);
  });

  it('an ended session reused by uid is a new session', async () => {
    const uid = randomUUID();
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['password'] });
    expect(await t.kapi.services.sessions.end(accountId, uid, 'signed_out')).toBe(true);
    expect(await t.kapi.services.sessions.end(accountId, uid, 'signed_out')).toBe(false);
    await t.kapi.services.sessions.record({ ...base(), uid, methods: ['sms'], continuesSession: true });
    const s = await t.kapi.services.sessions.find(uid);
    expect(s?.methods).toEqual(['sms']);
    expect(s?.endedAt).toBeNull();
  });
});
