import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, type Page } from '../support/browser.js';
import { authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { AYSE } from '../account/security-support.js';

// Issue 19 point 10: while the owner has closed password sign-in, a guesser learns nothing about her
// password, neither from the page nor from the limiter's counters.

/** The page's answer with what differs between any two requests (tokens, the interaction) taken out. */
function answerOf(page: Page): string {
  return page.html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""').replace(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/UID');
}

/** A demo citizen of her own for the counters, so that the first attempt's tries do not count there. */
const GULSEN = { nationalId: '34567891238', password: 'Mavi-Kart-Sahibi-68' };

async function tryPassword(t: TestKapi, rp: Awaited<ReturnType<typeof relyingParty>>, password: string, person: { nationalId: string } = AYSE): Promise<Page> {
  const browser = new Browser();
  const chooser = await browser.go((await authRequest(rp)).url.href);
  return browser.submit(chooser, { national_id: person.nationalId, password }, { name: 'submit', value: 'login' });
}

describe('attacks: a closed password sign-in reveals nothing (issue 19 point 10)', () => {
  let t: TestKapi;
  let rp: Awaited<ReturnType<typeof relyingParty>>;
  beforeAll(async () => {
    t = await startKapi({ guessLimits: { lockAfter: 4, delayAfter: 100 } });
    rp = await relyingParty(t, await registerInstitution(t));
    for (const person of [AYSE, GULSEN]) {
      const account = await t.kapi.services.accounts.findByNationalId(person.nationalId);
      await t.kapi.services.accounts.setPasswordLoginEnabled(account!.id, false);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the right password and a wrong one get the same answer, byte for byte (no oracle for the guesser)', async () => {
    const right = await tryPassword(t, rp, AYSE.password);
    const wrong = await tryPassword(t, rp, 'Bir-Yanlis-Sifre-2026');
    expect(right.status).toBe(401);
    expect(wrong.status).toBe(right.status);
    expect(answerOf(right)).toBe(answerOf(wrong));
    expect(right.html).toContain('id="password-closed-hint"'); // the owner is told the way out, as everybody is
  });

  it('a right password counts as a failure too, so the lock comes after the same number of tries (no oracle in the counters)', async () => {
    const statuses: number[] = [];
    // lockAfter 4: the fifth try is refused whatever was typed, right passwords included.
    for (const password of [GULSEN.password, 'Yanlis-1-Sifre-Aa', GULSEN.password, 'Yanlis-2-Sifre-Bb', GULSEN.password])
      statuses.push((await tryPassword(t, rp, password, GULSEN)).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
  });
});
