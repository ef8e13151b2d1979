import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as client from 'openid-client';
import { Browser, type Page } from '../support/browser.js';
import { atCallback, authRequest, registerInstitution, relyingParty } from '../support/institution.js';
import { startKapi, type TestKapi } from '../support/kapi.js';
import { startTestPki, type TestPki } from '../support/smart-card.js';
import { api, passwordSignIn, registerConsole, smartCardToken } from '../registrar/support.js';
import { AYSE, openWithPassword } from '../account/security-support.js';
import { cookieHeaderOf, endWhileLooping, redeemable, sessionOf, signInAt, silentSignIn, type SilentAnswer } from './endings-support.js';

jest.setTimeout(180_000);

// Issue 25 point 2: an ended session must stay ended. An attacker holds a copy of a citizen's session
// cookie and loops silent sign-ins (prompt=none) at an institution, four requests at a time, while the
// session is ended by each path that ends sessions. oidc-provider saves the session at the end of every
// request, so a request in flight during the ending used to write the session back: it then kept
// getting codes, was no longer listed, and no later ending touched it.

const MEHMET = '12345678950'; // a citizen whose password the office issues and cancels
const MEHMET_CARD = { type: 'tr_identity_card', number: 'B23C45678' };
const AYSE_RESET = { national_id: AYSE.nationalId, birthdate: '1985-04-12', document_serial: 'A12B34567', phone: '0532 111 22 33' };

describe('attacks: an ended session stays ended while silent sign-ins are in flight (issue 25 point 2)', () => {
  let pki: TestPki;
  let t: TestKapi;
  let rp: client.Configuration;
  let institution: Record<string, unknown>;
  let ayse: { nationalId: string; password: string } = { nationalId: AYSE.nationalId, password: AYSE.password };
  let n = 0;
  const nextPassword = () => `Yeni-Sifre-Denemesi-${++n}-Kapi`;

  beforeAll(async () => {
    pki = await startTestPki();
    t = await startKapi({ env: pki.env });
    institution = await registerInstitution(t, { name: 'Sağlık Bakanlığı' });
    rp = await relyingParty(t, institution);
  });
  afterAll(async () => {
    await t?.stop();
    await pki?.close();
  });

  /** A session of the citizen at the institution, and the attacker's copy of its cookie. */
  async function stolenSession(citizen: { nationalId: string; password: string }) {
    const victim = new Browser();
    await signInAt(victim, rp, citizen);
    return { victim, cookie: cookieHeaderOf(t, victim), ...(await sessionOf(t, victim)) };
  }

  /** What must hold once an ending has returned, whatever the attacker's requests in flight did. */
  async function expectEndedForGood(stolen: { cookie: string; uid: string }, race: { answers: SilentAnswer[]; endedAt: number }): Promise<void> {
    const issued = race.answers.filter((a) => a.code);
    expect(issued.length).toBeGreaterThan(0); // the attacker's loop really was signing in before the ending
    // No silent sign-in sent after the ending returned gets a code...
    expect(race.answers.filter((a) => a.sent > race.endedAt && a.code).map((a) => a.sent - race.endedAt)).toEqual([]);
    // ...nor any later one,
    for (let i = 0; i < 3; i++) expect((await silentSignIn(t, stolen.cookie, rp)).error).toBe('login_required');
    // because the session record is gone and was not written back by a request in flight,
    expect(await new t.kapi.services.adapter('Session').findByUid(stolen.uid)).toBeUndefined();
    // and the index keeps it ended (not listed, not skipped by a later ending).
    expect((await t.kapi.services.sessions.find(stolen.uid))?.endedAt).toBeInstanceOf(Date);
    // No code the attacker collected, before or during the ending, can be redeemed after it.
    const redeemed = await Promise.all(issued.map((a) => redeemable(rp, a)));
    expect(redeemed.filter(Boolean).length).toBe(0);
  }

  it('"sign out everywhere" while silent sign-ins are in flight: the session is not written back', async () => {
    const stolen = await stolenSession(ayse);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/sessions', ayse);
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await owner.submit(page, {}, { name: 'end_all', value: '1' });
      expect(done.html).toContain('Bütün oturumlarınız kapatıldı');
    });
    await expectEndedForGood(stolen, race);
  });

  it('ending that one session on the sessions page while silent sign-ins are in flight', async () => {
    const stolen = await stolenSession(ayse);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/sessions', ayse);
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await owner.submit(page, {}, { name: 'end', value: stolen.uid });
      expect(done.url).toBe(`${t.issuer}/account/sessions?notice=ended`);
    });
    await expectEndedForGood(stolen, race);
  });

  it('a password change in another session while silent sign-ins are in flight', async () => {
    const stolen = await stolenSession(ayse);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/password', ayse);
    const next = nextPassword();
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await owner.submit(
        page,
        { current_password: ayse.password, new_password: next, new_password_confirm: next },
        { name: 'submit', value: 'change' },
      );
      expect(done.status).toBeLessThan(400);
    });
    ayse = { ...ayse, password: next };
    await expectEndedForGood(stolen, race);
  });

  it('a password reset while silent sign-ins are in flight', async () => {
    const stolen = await stolenSession(ayse);
    const browser = new Browser();
    const codePage = await browser.submit(await browser.go(`${t.issuer}/account/reset`), AYSE_RESET, { name: 'submit', value: 'start' });
    const code = /\b(\d{6})\b/.exec(t.kapi.messaging.smsOutbox!.latest('+905321112233')!.text)![1]!;
    const pwPage = await browser.submit(codePage, { sms_code: code }, { name: 'submit', value: 'verify' });
    const next = nextPassword();
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await browser.submit(pwPage, { new_password: next, new_password_confirm: next }, { name: 'submit', value: 'save' });
      expect(done.url).toBe(`${t.issuer}/account/reset/done`);
    });
    ayse = { ...ayse, password: next };
    await expectEndedForGood(stolen, race);
  });

  it('a security setting (online-banking login blocked) in another session while silent sign-ins are in flight', async () => {
    const stolen = await stolenSession(ayse);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/security', ayse);
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await owner.submit(page, {}, { name: 'action', value: 'block' });
      expect(done.status).toBeLessThan(400);
    });
    await expectEndedForGood(stolen, race);
  });

  it("the institution's own RP-initiated logout in the victim's browser while the copy of its cookie signs in silently", async () => {
    const stolen = await stolenSession(ayse);
    const race = await endWhileLooping(
      t,
      stolen.cookie,
      rp,
      async () => {
        // The attacker's requests save the session too, and may overwrite the logout question's state
        // (oidc-provider: the last save wins); the person then sees "could not find logout details" and
        // asks again, as she would. (One loop here, not eight, so that she gets through on a loaded machine:
        // the race this test is about needs only one request in flight when the logout lands.)
        let done: Page | undefined;
        for (let attempt = 0; attempt < 60 && done?.status !== 200; attempt++) {
          const ask = await stolen.victim.go(`${t.issuer}/session/end?client_id=${String(institution.client_id)}`);
          done = await stolen.victim.submit(ask, {}, { name: 'logout', value: 'yes' });
        }
        expect(done?.status).toBe(200);
      },
      { workers: 1 },
    );
    await expectEndedForGood(stolen, race);
  });

  it('an office cancellation of the password while silent sign-ins are in flight', async () => {
    const registrar = await smartCardToken(t, pki, await registerConsole(t, { minAcr: 'high' }), AYSE.nationalId);
    const issued = await api(t, registrar, 'POST', '/issuances', { national_id: MEHMET, documents: [MEHMET_CARD] });
    expect(issued.status).toBe(201);
    // Mehmet's first sign-in sets his own password, at the institution.
    const victim = new Browser();
    let page: Page = await passwordSignIn(victim, (await authRequest(rp)).url.href, MEHMET, issued.body.password as string);
    const own = nextPassword();
    page = await victim.submit(page, { new_password: own, new_password_confirm: own }, { name: 'submit', value: 'change' }, atCallback);
    if (!atCallback(page.url)) page = await victim.submit(page, {}, { name: 'decision', value: 'allow' }, atCallback);
    expect(atCallback(page.url)).toBe(true);
    const stolen = { victim, cookie: cookieHeaderOf(t, victim), ...(await sessionOf(t, victim)) };
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const cancelled = await api(t, registrar, 'POST', '/cancellations', { national_id: MEHMET, documents: [MEHMET_CARD] });
      expect(cancelled.status).toBe(201);
    });
    await expectEndedForGood(stolen, race);
  });

  it('a half-finished ending (the index row ended, the process gone before the session store was touched) is refused at the authorization endpoint', async () => {
    const stolen = await stolenSession(ayse);
    expect((await silentSignIn(t, stolen.cookie, rp)).code).toBeDefined();
    // What #endOne does first, and nothing after it: the session record is still in the store. The same
    // holds when a Redis failover loses the session's mark while a written-back record survives.
    await t.kapi.services.db('login_sessions').where({ uid: stolen.uid }).update({ ended_at: new Date(), end_reason: 'signed_out_everywhere' });
    expect(await new t.kapi.services.adapter('Session').findByUid(stolen.uid)).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await silentSignIn(t, stolen.cookie, rp)).error).toBe('login_required');
    // Without prompt=none the person is asked to sign in afresh: the ended session proves nothing.
    const attacker = new Browser();
    attacker.cookies.set(new URL(t.issuer).host, new Map(stolen.victim.cookies.get(new URL(t.issuer).host)));
    const page = await attacker.go((await authRequest(rp)).url.href, {}, atCallback);
    expect(atCallback(page.url)).toBe(false);
    expect(page.html).toContain('name="national_id"');
  });

  // Last of Ayşe's: from here on her sign-ins need a second stage.
  it('turning two-factor authentication on in another session while silent sign-ins are in flight', async () => {
    const stolen = await stolenSession(ayse);
    const owner = new Browser();
    const page = await openWithPassword(t, owner, '/account/second-factors', ayse);
    const race = await endWhileLooping(t, stolen.cookie, rp, async () => {
      const done = await owner.submit(page, {}, { name: 'action', value: 'on' });
      expect(done.url).toContain('notice=two_factor_on');
    });
    await expectEndedForGood(stolen, race);
  });
});
