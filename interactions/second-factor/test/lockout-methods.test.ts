import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, decode, type Page } from '../../../test/support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../../../test/support/institution.js';
import { startKapi, type TestKapi } from '../../../test/support/kapi.js';
import { startTestPki, type TestPki } from '../../../test/support/smart-card.js';
import { startTestbed, type Testbed } from '../../mobile-signature/test/support.js';
import { citizen, password, setTwoFactor } from './support.js';

// Issue 20 point 6: when the SMS step locks, the message names every method that reaches the level
// on its own, online banking included, generated from the methods this Kapı runs (not a fixed list):
// a deployment without banks or mobile operators does not name them.

jest.setTimeout(120_000);

const MEHMET = { nationalId: '12345678950', password: 'Mehmet-Ali-Ozturk-1975', phone: '+905321110001' };
const text = (page: Page) => decode(page.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));

/** Password, then two wrong SMS codes: the step locks (the Kapı allows two guesses), or is locked already. */
async function lockedSmsStep(t: TestKapi, rp: client.Configuration, params: Record<string, string> = {}): Promise<Page> {
  const browser = new Browser();
  let page = await password(browser, (await authRequest(rp, params)).url.href, MEHMET.nationalId, MEHMET.password);
  if (page.html.includes('data-method=')) page = await browser.submit(page, {}, { name: 'method', value: 'sms' }, atCallback);
  if (page.status === 429) return page; // locked already (the lock is per account, across sign-ins)
  expect(page.html).toContain('name="code"');
  page = await browser.submit(page, { code: '000000' }, { name: 'action', value: 'verify' }, atCallback);
  page = await browser.submit(page, { code: '000001' }, { name: 'action', value: 'verify' }, atCallback);
  expect(page.status).toBe(429);
  return page;
}

describe('the SMS lock-out names the methods that reach the level', () => {
  let pki: TestPki;
  let mss: Testbed;
  let full: TestKapi;
  let cardsOnly: TestKapi;
  let rpFull: client.Configuration;
  let rpCards: client.Configuration;
  beforeAll(async () => {
    pki = await startTestPki();
    mss = await startTestbed();
    full = await startKapi({ env: { ...pki.env, ...mss.env, KAPI_DEMO_BANK: 'true' }, secondFactorGuesses: 2 });
    cardsOnly = await startKapi({ env: { ...pki.env, KAPI_PASSKEYS: 'false' }, secondFactorGuesses: 2 });
    for (const t of [full, cardsOnly]) {
      await citizen(t, MEHMET.nationalId, MEHMET.password, MEHMET.phone);
      await setTwoFactor(t, MEHMET.nationalId, true);
    }
    rpFull = await relyingParty(full, await registerInstitution(full));
    rpCards = await relyingParty(cardsOnly, await registerInstitution(cardsOnly));
  }, 90_000);
  afterAll(async () => {
    await cardsOnly?.stop();
    await full?.stop();
    await mss?.close();
    await pki?.close();
  });

  it('with cards, mobile operators, banks and passkeys configured, online banking and passkeys are named with the others (Turkish and English)', async () => {
    const tr = await lockedSmsStep(full, rpFull);
    expect(text(tr)).toContain(
      'Bu adım 15 dakika kapalı; bu sürede e-İmza, T.C. Kimlik Kartı, İnternet Bankacılığı, Mobil İmza veya Geçiş anahtarı ile giriş yapabilirsiniz.',
    );
    const en = await lockedSmsStep(full, rpFull, { ui_locales: 'en' });
    expect(text(en)).toContain(
      'This step is closed for 15 minutes; meanwhile you can sign in with e-Signature, National ID card, Online banking, Mobile signature, or Passkey.',
    );
  });

  it('a deployment with only the card methods names only them', async () => {
    const page = await lockedSmsStep(cardsOnly, rpCards);
    expect(text(page)).toContain('bu sürede e-İmza veya T.C. Kimlik Kartı ile giriş yapabilirsiniz.');
    expect(text(page)).not.toContain('Mobil İmza');
    expect(text(page)).not.toContain('İnternet Bankacılığı');
  });
});
