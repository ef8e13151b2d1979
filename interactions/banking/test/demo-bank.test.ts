import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser } from '../../../test/support/browser.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { atCallback, authRequest, exchange, registerInstitution, relyingParty, personClaims } from '../../../test/support/institution.js';
import { atBank, toBank, toBankChooser } from './support.js';
import { bankingModule } from '../index.js';

// The wiring of `npm start`: with KAPI_DEMO_BANK the demo bank runs on PORT + 3 and Kapı reaches it
// with private_key_jwt; a demo citizen signs in through it.

describe('the demo bank beside the embedded demo', () => {
  let t: TestKapi;
  let rp: client.Configuration;
  beforeAll(async () => {
    t = await startKapi({ env: { KAPI_DEMO_BANK: 'true' } });
    rp = await relyingParty(t, await registerInstitution(t));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs on PORT + 3 and signs Ayşe in', async () => {
    const demo = t.kapi.exportsOf(bankingModule).demoBank;
    expect(demo?.issuer).toBe(`http://127.0.0.1:${t.kapi.config.port + 3}`);
    const req = await authRequest(rp);
    const browser = new Browser();
    const chooser = await toBankChooser(browser, req.url.href);
    expect(chooser.html).toContain('Demo Bank');
    const { authorizationUrl, page: bankPage } = await toBank(browser, chooser, 'demo-bank', demo!.issuer);
    expect(new URL(authorizationUrl).searchParams.get('client_id')).toBe('kapi');
    expect(bankPage.html).toContain('DEMO BANK: not a real bank');
    const page = await atBank(browser, bankPage, '10000000146', 'Demo-Banka-146');
    expect(atCallback(page.url)).toBe(true);
    const claims = await personClaims(rp, await exchange(rp, req, page.url));
    expect(claims.national_id).toBe('10000000146');
    expect(claims.acr).toBe('substantial');
    expect(claims.amr).toContain('fed');
  });
});
