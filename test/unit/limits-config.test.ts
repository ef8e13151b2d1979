import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../support/config.js';

// The settings of the guess limits, device cookies and budgets (README, "Guess limits, device cookies
// and budgets"): defaults, values read, and values refused at start with the variable named.

describe('limit settings', () => {
  it('leaves the guess limits to their defaults unless set, and has defaults for the budgets', () => {
    const { limits } = loadConfig({});
    expect(limits.guess).toEqual({});
    expect(limits.approvals).toEqual({});
    expect(limits.secondFactorGuesses).toBeUndefined();
    expect(limits.deviceCookieDays).toBe(180);
    expect(limits.mobileSignature).toEqual({ requestsPerNumberHour: 10, requestsPerHour: 20_000 });
    expect(limits.codes).toEqual({ perAccountHour: 5, perTargetHour: 20 });
  });

  it('reads every setting', () => {
    const { limits } = loadConfig({
      KAPI_GUESS_LOCK_AFTER: '8',
      KAPI_GUESS_LOCK_SECONDS: '600',
      KAPI_GUESS_HARD_LIMIT: '50',
      KAPI_GUESS_HARD_LIMIT_DAYS: '7',
      KAPI_GUESS_PREFIX_LENGTH: '6',
      KAPI_DEVICE_COOKIE_DAYS: '30',
      KAPI_SECOND_FACTOR_GUESSES: '4',
      KAPI_APPROVALS_PER_SIGN_IN: '2',
      KAPI_APPROVALS_PER_ACCOUNT: '6',
      KAPI_APPROVAL_LOCK_SECONDS: '300',
      KAPI_MSSP_REQUESTS_PER_NUMBER_HOUR: '3',
      KAPI_MSSP_REQUESTS_PER_HOUR: '900',
      KAPI_CODES_PER_ACCOUNT_HOUR: '2',
      KAPI_CODES_PER_TARGET_HOUR: '9',
    });
    expect(limits.guess).toEqual({ lockAfter: 8, lockSeconds: 600, hardLimit: 50, hardLimitDays: 7, prefixLength: 6 });
    expect(limits).toMatchObject({ deviceCookieDays: 30, secondFactorGuesses: 4, approvals: { perSignIn: 2, perAccount: 6, lockSeconds: 300 } });
    expect(limits.mobileSignature).toEqual({ requestsPerNumberHour: 3, requestsPerHour: 900 });
    expect(limits.codes).toEqual({ perAccountHour: 2, perTargetHour: 9 });
  });

  it("refuses limits that would lock for ever, refuse everybody, or pass NIST's 100 consecutive failures", () => {
    expect(configProblems({ KAPI_GUESS_LOCK_SECONDS: '0' })[0]).toMatch(/^KAPI_GUESS_LOCK_SECONDS/);
    expect(configProblems({ KAPI_GUESS_LOCK_AFTER: '1.5' })[0]).toMatch(/^KAPI_GUESS_LOCK_AFTER/);
    expect(configProblems({ KAPI_GUESS_HARD_LIMIT: '101' })[0]).toMatch(/^KAPI_GUESS_HARD_LIMIT/);
    expect(configProblems({ KAPI_GUESS_HARD_LIMIT_DAYS: '30' })[0]).toMatch(/^KAPI_GUESS_HARD_LIMIT_DAYS/);
    expect(configProblems({ KAPI_GUESS_PREFIX_LENGTH: '11' })[0]).toMatch(/^KAPI_GUESS_PREFIX_LENGTH/);
    expect(configProblems({ KAPI_MSSP_REQUESTS_PER_HOUR: '0' })[0]).toMatch(/^KAPI_MSSP_REQUESTS_PER_HOUR/);
    expect(configProblems({ KAPI_DEVICE_COOKIE_DAYS: 'forever' })[0]).toMatch(/^KAPI_DEVICE_COOKIE_DAYS/);
  });
});
