import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../support/browser.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../support/institution.js';
import { BANK_A, bankJourney, startBankWorld, type BankWorld } from '../../interactions/banking/test/support.js';
import { AYSE, openWithPassword } from './security-support.js';

// Access restrictions end to end: the person closes online-banking login on the account pages, a
// bank sign-in (institution → Kapı → demo bank → Kapı) is refused with how to open it again, and after
// the person opens it the same journey signs them in.

jest.setTimeout(90_000);
const AYSE_AT_BANK = { login: '4000146', password: 'Demo-Banka-146' };

describe('access restrictions: online banking closed and opened on the account pages', () => {
  let w: BankWorld;
  let rp: client.Configuration;

  beforeAll(async () => {
    w = await startBankWorld();
    rp = await relyingParty(w.t, await registerInstitution(w.t));
  });
  afterAll(async () => {
    await w?.close();
  });

  it('refuses bank login while closed, with the way to open it; signs in after it is opened', async () => {
    const browser = new Browser();
    const page = await openWithPassword(w.t, browser, '/account/security');
    const blocked = await browser.submit(page, {}, { name: 'action', value: 'block' });
    expect(blocked.html).toContain('id="bank-login-state" data-state="blocked"');

    const refused = await bankJourney(new Browser(), (await authRequest(rp)).url.href, BANK_A, w.bankA.issuer, AYSE_AT_BANK.login, AYSE_AT_BANK.password);
    expect(atCallback(refused.page.url)).toBe(false);
    expect(refused.page.status).toBe(403);
    expect(refused.page.html).toContain('Erişim kısıtlamaları');
    const account = await w.t.kapi.services.accounts.findByNationalId(AYSE.nationalId);
    expect(account!.bankLoginEnabled).toBe(false);

    const opened = await browser.submit(blocked, {}, { name: 'action', value: 'unblock' });
    expect(opened.html).toContain('id="bank-login-state" data-state="open"');
    const req = await authRequest(rp);
    const ok = await bankJourney(new Browser(), req.url.href, BANK_A, w.bankA.issuer, AYSE_AT_BANK.login, AYSE_AT_BANK.password);
    expect(atCallback(ok.page.url)).toBe(true);
    expect((await personClaims(rp, await exchange(rp, req, ok.page.url))).national_id).toBe(AYSE.nationalId);
  });
});
