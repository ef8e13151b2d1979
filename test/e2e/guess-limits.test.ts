import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { DEMO_CITIZENS } from '../../src/demo/seed.js';
import { Browser, type Page } from '../support/browser.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';

const foreigner = DEMO_CITIZENS[3];

describe('guess limits on the password method', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  beforeAll(async () => {
    t = await startKapi({ guessLimits: { delayAfter: 100, lockAfter: 3, lockSeconds: 60, ipLimit: 1000 } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => t?.stop());

  async function attempt(nationalId: string, password: string): Promise<Page> {
    const browser = new Browser();
    const form = await browser.go((await authRequest(rp)).url.href, {}, atCallback);
    return browser.submit(form, { national_id: nationalId, password }, { name: 'submit', value: 'login' }, atCallback);
  }

  it('locks the password method for a number after repeated failures, even for the right password, and says when to retry', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(foreigner.nationalId, `wrong-${i}`)).status).toBe(401);
    const locked = await attempt(foreigner.nationalId, foreigner.password);
    expect(locked.status).toBe(429);
    expect(locked.html).toMatch(/\d+ saniye sonra yeniden deneyin/);
    const records = await t.kapi.services.db('sign_ins').where({ result: 'rate_limited' });
    expect(records.length).toBeGreaterThan(0);
    expect(JSON.stringify(records)).not.toContain(foreigner.nationalId); // only a keyed hash of the number
  });

  it('treats an unknown number exactly like a known one (no enumeration through the lock)', async () => {
    const unknown = '10000000078';
    for (let i = 0; i < 3; i++) expect((await attempt(unknown, `wrong-${i}`)).status).toBe(401);
    expect((await attempt(unknown, 'anything')).status).toBe(429);
  });

  it('does not lock other citizens', async () => {
    const other = DEMO_CITIZENS[2];
    const page = await attempt(other.nationalId, other.password);
    expect(page.status).not.toBe(429);
  });
});
