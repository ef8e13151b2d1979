import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { accountFromRegistry } from '../../src/accounts/account-from-registry.js';
import { startKapi, type TestKapi } from '../support/kapi.js';

// The first sign-in of a person with a strong method creates their account from the population registry.
// Two such sign-ins at once (two tabs, a retried request) must both get the one account, not a 500.

describe('account from the population registry', () => {
  let t: TestKapi;
  beforeAll(async () => {
    t = await startKapi();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('creates the account once when two first sign-ins race', async () => {
    const { accounts, registry, audit } = t.kapi.services;
    const nationalId = '23654859046'; // in the registry fixtures, not seeded with an account
    expect(await accounts.findByNationalId(nationalId)).toBeUndefined();
    const results = await Promise.all(Array.from({ length: 4 }, () => accountFromRegistry({ accounts, registry, audit }, nationalId, 'e-signature')));
    const ids = new Set(results.map((a) => a?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    expect((await accounts.findByNationalId(nationalId))?.id).toBe([...ids][0]);
  });

  it('gives nothing for a person the registry records as deceased, and creates no account', async () => {
    const { accounts, registry, audit } = t.kapi.services;
    expect(await accountFromRegistry({ accounts, registry, audit }, '45678912316', 'mobile-signature')).toBeUndefined();
    expect(await accounts.findByNationalId('45678912316')).toBeUndefined();
  });
});
