import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createStateStore } from '../../adapters/storage/state.js';
import { OneTimeCodes, sixDigits } from '../../src/accounts/one-time-codes.js';
import { formatPhone, normalizeEmail, normalizePhone } from '../../src/web/account/pages/contacts/normalize.js';

// The building blocks of contact verification and password reset: what people type for a phone or an
// address, and the single-use, short-lived, few-guesses codes.

describe('phone and e-mail as typed', () => {
  it.each([
    ['0532 111 22 33', '+905321112233'],
    ['532 111 2233', '+905321112233'],
    ['+90 (532) 111-22-33', '+905321112233'],
    ['00905321112233', '+905321112233'],
    ['+49 151 23456789', '+4915123456789'],
  ])('accepts %s as %s', (typed, e164) => {
    expect(normalizePhone(typed)).toBe(e164);
  });

  it.each(['', 'abc', '0212 111 22 33', '+90 212 111 22 33', '12345', '+0 532 111 22 33', '0532 111 22 33 44 55 66 77'])('refuses %j', (typed) => {
    expect(normalizePhone(typed)).toBeUndefined();
  });

  it('shows Turkish numbers grouped', () => {
    expect(formatPhone('+905321112233')).toBe('+90 532 111 22 33');
  });

  it('lower-cases the domain only, and refuses what is not an address', () => {
    expect(normalizeEmail(' Ayse.Yilmaz@Example.ORG ')).toBe('Ayse.Yilmaz@example.org');
    for (const bad of ['', 'a@b', 'a b@example.org', '<a@example.org>', `${'a'.repeat(65)}@example.org`, 'a@-example.org', 'a@@example.org'])
      expect(normalizeEmail(bad)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const phone = normalizePhone(s);
        const mail = normalizeEmail(s);
        return (phone === undefined || /^\+[1-9]\d{6,14}$/.test(phone)) && (mail === undefined || mail.includes('@'));
      }),
    );
  });
});

describe('one-time codes', () => {
  const key = Buffer.alloc(32, 9);

  it('are six digits, evenly drawn', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = sixDigits();
      expect(code).toMatch(/^\d{6}$/);
      seen.add(code[0]!);
    }
    expect(seen.size).toBe(10);
  });

  it('are stored only as HMACs, and used once', async () => {
    const store = createStateStore(undefined);
    const written: string[] = [];
    // Records every key and value written to the store.
    const state = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name === 'set') return (k: string, v: string, ttl: number) => (written.push(k, v), store.set(k, v, ttl));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const codes = new OneTimeCodes(state, key, { ttlSeconds: 60, maxAttempts: 3 });
    const { sms } = await codes.issue('contact:a:phone:+905321112233', ['sms']);
    // Nothing in the store holds the code, nor the number in its key.
    expect(written.length).toBe(2);
    expect(written.join('\n')).not.toContain(sms!);
    expect(written.join('\n')).not.toContain('905321112233');
    expect(await codes.verify('contact:a:phone:+905321112233', { sms: sms! })).toBe('ok');
    expect(await codes.verify('contact:a:phone:+905321112233', { sms: sms! })).toBe('gone');
  });

  it('bind a code to its scope: a code for one number does not verify another', async () => {
    const codes = new OneTimeCodes(createStateStore(undefined), key);
    const { sms } = await codes.issue('contact:a:phone:+905321112233', ['sms']);
    expect(await codes.verify('contact:a:phone:+905339998877', { sms: sms! })).toBe('gone');
  });

  it('throw the codes away on the last allowed wrong guess', async () => {
    const codes = new OneTimeCodes(createStateStore(undefined), key, { maxAttempts: 3 });
    const { sms } = await codes.issue('s', ['sms']);
    const wrong = sms === '000000' ? '111111' : '000000';
    expect(await codes.verify('s', { sms: wrong })).toBe('wrong');
    expect(await codes.verify('s', { sms: wrong })).toBe('wrong');
    expect(await codes.verify('s', { sms: wrong })).toBe('too_many');
    expect(await codes.verify('s', { sms: sms! })).toBe('too_many');
  });

  it('need every channel right', async () => {
    const codes = new OneTimeCodes(createStateStore(undefined), key);
    const { sms, email } = await codes.issue('r', ['sms', 'email']);
    expect(await codes.verify('r', { sms: sms! })).toBe('wrong');
    expect(await codes.verify('r', { sms: sms!, email: email! })).toBe('ok');
  });

  it('let only one of two concurrent right answers through', async () => {
    const codes = new OneTimeCodes(createStateStore(undefined), key);
    const { sms } = await codes.issue('c', ['sms']);
    const results = await Promise.all([codes.verify('c', { sms: sms! }), codes.verify('c', { sms: sms! })]);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('expire', async () => {
    const codes = new OneTimeCodes(createStateStore(undefined), key, { ttlSeconds: 1 });
    const { sms } = await codes.issue('e', ['sms']);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await codes.verify('e', { sms: sms! })).toBe('gone');
  });
});
